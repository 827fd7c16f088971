import type { Db } from "@/lib/db-client";
import type { AnyEventType, EventData, EventEnvelope } from "./events";

// Email alerts: one message per event, rendered from the same envelope a webhook receives, as
// plain text and simple inline-styled HTML (mail clients drop stylesheets). Each says what
// happened, what to do and where: the explanation and fix come from the diagnosis catalog in the
// payload, the link is the mailbox or integration page.

export type RenderedEmail = { subject: string; text: string; html: string };

/** One message's content before it is written as text and HTML (escaping happens in one place). */
type Parts = {
  subject: string;
  heading: string;
  paragraphs: { label?: string; text: string }[];
  list?: string[];
  link: { label: string; url: string };
};

const day = (iso: string) => iso.slice(0, 10);
const when = (iso: string) => `${iso.slice(0, 16).replace("T", " ")} UTC`;
const plural = (n: number, one: string, many = `${one}s`) => `${n} ${n === 1 ? one : many}`;

function absolute(url: string, publicUrl: string): string {
  return /^https?:\/\//.test(url) ? url : `${publicUrl.replace(/\/+$/, "")}/${url.replace(/^\/+/, "")}`;
}

const mailboxName = (c: { mailbox: string; displayName: string | null }) => (c.displayName ? `${c.displayName} <${c.mailbox}>` : c.mailbox);

type Renderers = { [T in AnyEventType]: (d: EventData[T], publicUrl: string) => Parts };

const RENDER: Renderers = {
  "connection.failing": (d) => ({
    subject: `${d.connection.mailbox} stopped working: ${d.failure.title}`,
    heading: `${d.connection.mailbox} stopped working`,
    paragraphs: [
      { text: `The mailbox ${mailboxName(d.connection)} (integration "${d.integration.name}") has been failing since ${when(d.firstFailedAt)}: ${d.failure.reason.replace(/\.?$/, ".")}` },
      { label: "What happened", text: d.failure.explanation },
      { label: "What to do", text: d.failure.fix },
    ],
    link: { label: "Open the mailbox", url: d.connection.url },
  }),
  "connection.recovered": (d) => ({
    subject: `${d.connection.mailbox} works again`,
    heading: `${d.connection.mailbox} works again`,
    paragraphs: [{ text: `The mailbox ${mailboxName(d.connection)} (integration "${d.integration.name}") passed its check${d.failingSince ? ` after failing since ${when(d.failingSince)}` : ""}. Nothing more to do.` }],
    link: { label: "Open the mailbox", url: d.connection.url },
  }),
  "connection.at_risk": (d) => ({
    subject: `${d.connection.mailbox} stops working in ${plural(d.daysLeft, "day")} unless it is used`,
    heading: `${d.connection.mailbox} is at risk`,
    paragraphs: [
      { text: `The grant of ${mailboxName(d.connection)} (integration "${d.integration.name}") dies on ${day(d.deadline)}, in ${plural(d.daysLeft, "day")}.` },
      { label: "Why", text: d.explanation },
      { label: "What to do", text: d.fix },
    ],
    link: { label: "Open the mailbox", url: d.connection.url },
  }),
  "tenant.failing": (d) => ({
    subject: `${plural(d.failing, "mailbox", "mailboxes")} of Microsoft tenant ${d.tenantId} are failing`,
    heading: `A Microsoft tenant is failing`,
    paragraphs: [
      { text: `${plural(d.failing, "mailbox", "mailboxes")} of tenant ${d.tenantId} started failing within minutes of each other, first at ${when(d.firstFailedAt)}: one message instead of one each. The cause is usually tenant-wide (admin consent withdrawn, a conditional access policy, an outage).` },
    ],
    list: [...d.connections.slice(0, 20).map((c) => `${c.mailbox}: ${c.code}`), ...(d.connections.length > 20 ? [`… and ${d.connections.length - 20} more`] : [])],
    link: { label: "Open the failing mailboxes", url: d.url },
  }),
  "tenant.recovered": (d) => ({
    subject: `The mailboxes of Microsoft tenant ${d.tenantId} work again`,
    heading: `A Microsoft tenant works again`,
    paragraphs: [{ text: `${plural(d.recovered, "mailbox", "mailboxes")} of tenant ${d.tenantId}, failing since ${when(d.failingSince)}, pass their checks again.` }],
    link: { label: "Open the mailboxes", url: d.url },
  }),
  "integration.credentials_failing": (d) => ({
    subject: `Integration "${d.integration.name}": its credentials stopped working`,
    heading: `The credentials of "${d.integration.name}" stopped working`,
    paragraphs: [
      { text: `The daily credentials check of "${d.integration.name}" failed: ${d.failure.title} (${d.failure.code}). ${plural(d.mailboxes, "mailbox", "mailboxes")} connect through it.` },
      { label: "What happened", text: d.failure.explanation },
      { label: "What to do", text: d.failure.fix },
    ],
    link: { label: "Open the integration", url: d.integration.url },
  }),
  "integration.credentials_recovered": (d) => ({
    subject: `Integration "${d.integration.name}": its credentials work again`,
    heading: `The credentials of "${d.integration.name}" work again`,
    paragraphs: [{ text: `The credentials check of "${d.integration.name}" passes again (${plural(d.mailboxes, "mailbox", "mailboxes")} connect through it).` }],
    link: { label: "Open the integration", url: d.integration.url },
  }),
  "integration.secret_expiring": (d) => ({
    subject: `Integration "${d.integration.name}": its ${d.credential === "secret" ? "client secret" : "certificate"} expires in ${plural(d.daysLeft, "day")}`,
    heading: `The ${d.credential === "secret" ? "client secret" : "certificate"} of "${d.integration.name}" expires soon`,
    paragraphs: [
      { text: `It expires on ${day(d.expiresAt)}, in ${plural(d.daysLeft, "day")}. Then ${plural(d.mailboxes, "mailbox", "mailboxes")} connecting through "${d.integration.name}" stop working.` },
      { label: "What to do", text: d.fix },
    ],
    link: { label: "Open the integration", url: d.integration.url },
  }),
  test: (d, publicUrl) => ({
    subject: `Test alert from ${d.org.name}`,
    heading: "Test alert",
    paragraphs: [{ text: d.message }, { text: "This channel works: real alerts will reach you the same way." }],
    link: { label: "Open the org's settings", url: `${publicUrl}/orgs/${d.org.slug}/settings` },
  }),
};

const escapeHtml = (s: string) => s.replace(/[&<>"']/g, (c) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" })[c]!);

function footer(org: { name: string; slug: string }, publicUrl: string) {
  return { text: `You get this because you are on an alert channel of ${org.name} in Mailgrant. Change channels and events in Settings:`, url: `${publicUrl}/orgs/${org.slug}/settings` };
}

export function renderAlertEmail(envelope: EventEnvelope, opts: { publicUrl: string }): RenderedEmail {
  const publicUrl = opts.publicUrl.replace(/\/+$/, "");
  const render = RENDER[envelope.type] as (d: EventData[AnyEventType], publicUrl: string) => Parts;
  const p = render(envelope.data, publicUrl);
  const link = absolute(p.link.url, publicUrl);
  const foot = footer(envelope.data.org, publicUrl);
  const subject = `[Mailgrant] ${p.subject}`;

  const text = [
    p.heading,
    "",
    ...p.paragraphs.flatMap((x) => [x.label ? `${x.label}: ${x.text}` : x.text, ""]),
    ...(p.list?.length ? [...p.list.map((l) => `  - ${l}`), ""] : []),
    `${p.link.label}: ${link}`,
    "",
    "--",
    `${foot.text} ${foot.url}`,
  ].join("\n");

  const para = (x: { label?: string; text: string }) =>
    `<p style="margin:0 0 12px">${x.label ? `<strong>${escapeHtml(x.label)}:</strong> ` : ""}${escapeHtml(x.text)}</p>`;
  const html = [
    `<div style="font-family:-apple-system,Segoe UI,Roboto,Helvetica,Arial,sans-serif;font-size:15px;line-height:1.5;color:#1f2328;max-width:600px">`,
    `<h1 style="font-size:20px;margin:0 0 16px">${escapeHtml(p.heading)}</h1>`,
    ...p.paragraphs.map(para),
    ...(p.list?.length ? [`<ul style="margin:0 0 12px;padding-left:20px">${p.list.map((l) => `<li>${escapeHtml(l)}</li>`).join("")}</ul>`] : []),
    `<p style="margin:16px 0"><a href="${escapeHtml(link)}" style="display:inline-block;background:#0b5cad;color:#ffffff;padding:8px 14px;border-radius:6px;text-decoration:none">${escapeHtml(p.link.label)}</a></p>`,
    `<p style="margin:24px 0 0;font-size:13px;color:#59636e">${escapeHtml(foot.text)} <a href="${escapeHtml(foot.url)}" style="color:#59636e">${escapeHtml(foot.url)}</a></p>`,
    `</div>`,
  ].join("\n");
  return { subject, text, html };
}

/** The channel's recipients: the org's owners and admins (includeAdmins) and its own addresses, lower-cased, each once. */
export async function alertRecipients(db: Db, orgId: string, channel: { includeAdmins: boolean; recipients: string[] }): Promise<string[]> {
  const admins = channel.includeAdmins
    ? await db.membership.findMany({ where: { orgId, role: { in: ["OWNER", "ADMIN"] } }, select: { user: { select: { email: true } } }, orderBy: { createdAt: "asc" } })
    : [];
  const all = [...admins.map((m) => m.user.email), ...channel.recipients].map((e) => e.trim().toLowerCase()).filter(Boolean);
  return [...new Set(all)];
}

/** The org's owners and admins (who hear about a paused channel). */
export const orgAdminEmails = (db: Db, orgId: string) => alertRecipients(db, orgId, { includeAdmins: true, recipients: [] });
