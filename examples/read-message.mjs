// Reads the newest message of a mailbox through Microsoft Graph, with an access token from
// Mailgrant: the script never holds a refresh token or an app secret, only an API key.
// Node 20 or later, no dependencies.
//
//   MAILGRANT_URL=https://mailgrant.example.com MAILGRANT_API_KEY=mgk_… node examples/read-message.mjs
//
// MAILBOX picks a mailbox by address (default: the first one the key reaches);
// GRAPH_URL points at another Graph host (default https://graph.microsoft.com).

const base = (process.env.MAILGRANT_URL ?? "").replace(/\/+$/, "");
const key = process.env.MAILGRANT_API_KEY ?? "";
const graph = (process.env.GRAPH_URL ?? "https://graph.microsoft.com").replace(/\/+$/, "");
const wanted = process.env.MAILBOX?.trim().toLowerCase();

if (!base || !key) {
  console.error("Set MAILGRANT_URL (the portal's address) and MAILGRANT_API_KEY (an mgk_… key from the portal's API keys page).");
  process.exit(1);
}

/** Mailgrant's API: the JSON answer, or the error's status, code and message on stderr and exit 1. */
async function mailgrant(path, init = {}) {
  const res = await fetch(`${base}/api/v1${path}`, {
    ...init,
    headers: { authorization: `Bearer ${key}`, accept: "application/json", ...(init.body ? { "content-type": "application/json" } : {}) },
  });
  const body = await res.json().catch(() => null);
  if (!res.ok) {
    console.error(`Mailgrant answered ${res.status}: ${body?.error?.code ?? "unknown_error"}: ${body?.error?.message ?? res.statusText}`);
    process.exit(1);
  }
  return body;
}

const query = wanted ? `?mailbox=${encodeURIComponent(wanted)}` : "";
const { data: connections } = await mailgrant(`/connections${query}`);
const connection = wanted ? connections.find((c) => c.mailbox.toLowerCase() === wanted) : connections[0];
if (!connection) {
  console.error(wanted ? `The key does not reach ${wanted}.` : "The key reaches no mailbox yet: connect one in the portal.");
  process.exit(1);
}

const token = await mailgrant(`/connections/${connection.id}/token`, { method: "POST", body: JSON.stringify({ resource: "graph" }) });

// A shared mailbox is read as a user's (the delegate's token); a user's own mailbox is "me".
const who = connection.kind === "shared" ? `users/${encodeURIComponent(connection.mailbox)}` : "me";
const res = await fetch(`${graph}/v1.0/${who}/messages?$top=1&$select=subject,from`, { headers: { authorization: `Bearer ${token.access_token}` } });
if (!res.ok) {
  const body = await res.json().catch(() => null);
  console.error(`Microsoft Graph answered ${res.status}: ${body?.error?.code ?? ""} ${body?.error?.message ?? res.statusText}`.trim());
  process.exit(1);
}
const [message] = (await res.json()).value;
console.log(message ? message.subject : `${connection.mailbox} has no messages.`);
