// What the console bench requests, and how. The pages are being built while this bench is, so the
// list is data: change a path or add a page here. A page that answers 404 (not merged yet) or
// redirects is measured and reported as such; it never fails the run.
import type { Fixture } from "./console-seed";

export type Who = "support" | "owner" | "anonymous";

export type PageSpec = {
  name: string;
  as: Who;
  path: (f: Fixture) => string;
  /** Follow the page's "Next" link this many times first, and measure the page it ends on. */
  followNext?: number;
};

const q = encodeURIComponent;

export const PAGES: PageSpec[] = [
  { name: "floor: /signin (constant page)", as: "anonymous", path: () => "/signin" },
  { name: "support: fleet view", as: "support", path: () => "/support" },
  { name: "support: connections, first page", as: "support", path: () => "/support/connections" },
  { name: "support: connections, failing", as: "support", path: () => "/support/connections?health=FAILING" },
  { name: "support: search by mailbox", as: "support", path: (f) => `/support/connections?q=${q(f.mailbox)}` },
  { name: "support: search by error code", as: "support", path: () => "/support/connections?q=AADSTS50173" },
  { name: "support: failing, page 50", as: "support", path: () => "/support/connections?health=FAILING", followNext: 49 },
  { name: "support: a connection", as: "support", path: (f) => `/support/connections/${f.mailboxId}` },
  { name: "support: orgs", as: "support", path: () => "/support/orgs" },
  { name: "support: largest org", as: "support", path: (f) => `/support/orgs/${f.largestOrg.slug}` },
  { name: "owner: org overview", as: "owner", path: (f) => `/orgs/${f.largestOrg.slug}` },
  { name: "owner: mailboxes", as: "owner", path: (f) => `/orgs/${f.largestOrg.slug}/mailboxes` },
  // The largest org has too few failing mailboxes for 50 pages: its healthy ones are the filter here.
  { name: "owner: mailboxes, healthy, page 50", as: "owner", path: (f) => `/orgs/${f.largestOrg.slug}/mailboxes?health=HEALTHY`, followNext: 49 },
  { name: "owner: mailbox timeline", as: "owner", path: (f) => `/orgs/${f.largestOrg.slug}/mailboxes/${f.mailboxId}` },
];

const decode = (s: string) =>
  s.replace(/&amp;/g, "&").replace(/&#x27;|&#39;/g, "'").replace(/&quot;/g, '"').replace(/&lt;/g, "<").replace(/&gt;/g, ">").replace(/&#x2F;/gi, "/");

/**
 * The href of the page's "next page" link: an <a> (or <link>) with rel="next", else an <a> whose
 * text (tags stripped) or aria-label starts with "Next" ("Next", "Next page", "Next →"). Null
 * when there is none (the last page, or a page without pagination).
 */
export function findNextHref(html: string): string | null {
  const attr = (attrs: string, name: string) => attrs.match(new RegExp(`\\s${name}\\s*=\\s*(?:"([^"]*)"|'([^']*)'|([^\\s>]+))`, "i"))?.slice(1).find((v) => v !== undefined);
  const anchors = [...html.matchAll(/<a\b([^>]*)>([\s\S]*?)<\/a>/gi)].map(([, attrs, inner]) => ({ attrs: ` ${attrs!}`, inner: inner ?? "" }));
  const links = [...html.matchAll(/<link\b([^>]*)>/gi)].map(([, attrs]) => ({ attrs: ` ${attrs!}`, inner: "" }));
  for (const { attrs } of [...anchors, ...links]) {
    const rel = attr(attrs, "rel");
    const href = attr(attrs, "href");
    if (href && rel && rel.toLowerCase().split(/\s+/).includes("next")) return decode(href);
  }
  for (const { attrs, inner } of anchors) {
    const href = attr(attrs, "href");
    const text = decode(inner.replace(/<[^>]*>/g, " ")).replace(/\s+/g, " ").trim();
    const label = attr(attrs, "aria-label") ?? "";
    if (href && attr(attrs, "aria-disabled") !== "true" && (/^next\b/i.test(text) || /^next\b/i.test(label))) return decode(href);
  }
  return null;
}

export type Response1 = { status: number; ms: number; bytes: number; location: string | null; html: string };

/** One GET: the time until the whole HTML has arrived (server time plus a loopback transfer). */
export async function get(base: string, path: string, cookie: string | null, timeoutMs = 120_000): Promise<Response1> {
  const t = performance.now();
  const res = await fetch(new URL(path, base), { redirect: "manual", headers: { ...(cookie ? { cookie } : {}), accept: "text/html" }, signal: AbortSignal.timeout(timeoutMs) });
  const body = await res.text();
  const ms = performance.now() - t;
  return { status: res.status, ms, bytes: Buffer.byteLength(body), location: res.headers.get("location"), html: body };
}

/** Follows "Next" up to `times` times from `path`; returns the path reached and how many pages it is from the start. */
export async function followNext(base: string, path: string, cookie: string | null, times: number): Promise<{ path: string; page: number; stoppedBecause?: string }> {
  let current = path;
  for (let i = 0; i < times; i++) {
    const r = await get(base, current, cookie);
    if (r.status !== 200) return { path: current, page: i + 1, stoppedBecause: `HTTP ${r.status} on page ${i + 1}` };
    const next = findNextHref(r.html);
    if (!next) return { path: current, page: i + 1, stoppedBecause: `no "Next" link on page ${i + 1}` };
    const url = new URL(next, new URL(current, base));
    current = `${url.pathname}${url.search}`;
  }
  return { path: current, page: times + 1 };
}

export function quantile(sorted: number[], p: number): number {
  if (sorted.length === 0) return NaN;
  const i = Math.min(sorted.length - 1, Math.max(0, Math.ceil(p * sorted.length) - 1));
  return sorted[i]!;
}
