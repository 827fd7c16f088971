// Requests the framework would answer with a 500 are answered here first, by server.ts, with a
// status and a page that say what happened: a path whose percent-encoding is broken (400), and a
// form larger than server actions accept (413).

/** The largest form a server action takes (next.config.ts serverActions.bodySizeLimit). */
export const ACTION_BODY_LIMIT_BYTES = 1024 * 1024;

export type Refusal = { status: 400 | 413; title: string; message: string };

export function refuseRequest(req: { method?: string; url?: string; headers: Record<string, string | string[] | undefined> }): Refusal | null {
  const path = (req.url ?? "/").split("?")[0] ?? "/";
  try {
    decodeURIComponent(path);
  } catch {
    return { status: 400, title: "This address is not valid", message: "The link is damaged (its %-encoding is broken). Copy the whole link again, or start from the portal's home page." };
  }
  const length = Number(req.headers["content-length"] ?? 0);
  if (req.method === "POST" && req.headers["next-action"] && length > ACTION_BODY_LIMIT_BYTES) {
    return { status: 413, title: "That form is too large", message: `The form sent ${(length / 1024 / 1024).toFixed(1)} MB; the portal accepts at most 1 MB. Nothing was changed. Shorten the longest field (a pasted certificate or key is a few KB) and try again.` };
  }
  return null;
}

const escape = (s: string) => s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

export function refusalPage(r: Refusal): string {
  return `<!doctype html><html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1"><title>${escape(r.title)} · Mailgrant</title></head><body style="font-family:system-ui,sans-serif;max-width:36rem;margin:4rem auto;padding:0 1rem;color:#0f172a"><p style="color:#1d4ed8;font-weight:600">${r.status}</p><h1>${escape(r.title)}</h1><p>${escape(r.message)}</p><p><a href="/orgs">Go to your organizations</a></p></body></html>`;
}
