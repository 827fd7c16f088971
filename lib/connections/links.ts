import { hkdfSync } from "node:crypto";
import { SignJWT, jwtVerify, errors as joseErrors } from "jose";
import { z } from "zod";
import type { Db } from "@/lib/db-client";
import type { ConsentLink, MailboxKind } from "@/generated/prisma/client";
import { AppError, notFound } from "@/lib/errors";
import { record, type RequestMeta } from "@/lib/audit/record";

// Links for people without a portal account: the mailbox owner's consent link (single use, tied
// to org, integration and mailbox) and the admin-consent link an admin can be sent. Both are
// HS256 tokens signed with a key derived from the deployment's secret; the consent link also
// names a row, which makes it single use and lets the admin see its state.

export const CONSENT_LINK_DAYS = 7;
const ISSUER = "mailgrant";

const keyFor = (secret: string, purpose: string) => new Uint8Array(hkdfSync("sha256", secret, "mailgrant-links", purpose, 32));

/** Who makes the link: a member, or Mailgrant itself (id null: the self-healing policy). */
type Actor = { id: string | null; email: string };

export const consentLinkInputSchema = z.object({
  integrationId: z.uuid({ message: "Pick the integration the mailbox should connect through." }),
  mailbox: z.string().trim().toLowerCase().pipe(z.email({ message: "Enter the mailbox's email address, e.g. support@contoso.com." })),
  mailboxKind: z.enum(["USER", "SHARED"], { message: "Choose whether this is a user's mailbox or a shared mailbox." }).default("USER"),
});

export async function createConsentLink(db: Db, secret: string, orgId: string, actor: Actor, raw: z.input<typeof consentLinkInputSchema>, meta?: RequestMeta, now = new Date()) {
  const input = consentLinkInputSchema.parse(raw);
  const integration = await db.integration.findFirst({ where: { id: input.integrationId, orgId }, select: { id: true, name: true } });
  if (!integration) throw new AppError("invalid_input", "That integration does not exist in this org; pick another.", "integrationId");
  const expiresAt = new Date(now.getTime() + CONSENT_LINK_DAYS * 86_400_000);
  const link = await db.$transaction(async (tx) => {
    // Only the newest link for a mailbox works.
    const withdrawn = await tx.consentLink.updateMany({ where: { orgId, integrationId: input.integrationId, mailbox: input.mailbox, status: { in: ["PENDING", "OPENED"] } }, data: { status: "REVOKED" } });
    const created = await tx.consentLink.create({ data: { orgId, integrationId: input.integrationId, mailbox: input.mailbox, mailboxKind: input.mailboxKind, createdById: actor.id, expiresAt } });
    await record(tx, { action: "consent_link.created", orgId, actor, targetType: "consent_link", targetId: created.id, data: { mailbox: input.mailbox, mailboxKind: input.mailboxKind, integration: integration.name }, meta });
    return { created, withdrewEarlier: withdrawn.count > 0 };
  });
  const token = await new SignJWT({ org: orgId, int: input.integrationId, mbx: input.mailbox })
    .setProtectedHeader({ alg: "HS256" })
    .setIssuer(ISSUER)
    .setAudience("consent-link")
    .setSubject(link.created.id)
    .setIssuedAt(Math.floor(now.getTime() / 1000))
    .setExpirationTime(Math.floor(expiresAt.getTime() / 1000))
    .sign(keyFor(secret, "consent-link"));
  return { link: link.created, token, withdrewEarlier: link.withdrewEarlier };
}

export type LinkProblem = "invalid" | "expired" | "used" | "revoked";

/**
 * Checks a consent link's signature and its row. A first real visit marks it opened; rendering the
 * page for a plain GET passes `markOpened: false`, because mail scanners and link previews fetch
 * links too (the page's script, or the owner's click, marks it).
 */
export async function openConsentLink(db: Db, secret: string, token: string, now = new Date(), opts: { markOpened?: boolean } = {}) {
  const claims = await verify(secret, token, "consent-link", now);
  if (!claims.ok) return claims;
  const { sub, org, int, mbx } = claims.payload as { sub?: string; org?: string; int?: string; mbx?: string };
  if (!sub || !/^[0-9a-f-]{36}$/i.test(sub)) return { ok: false as const, problem: "invalid" as const };
  const link = await db.consentLink.findUnique({
    where: { id: sub },
    include: { org: { select: { id: true, name: true, slug: true } }, integration: { select: { id: true, name: true, cloud: true, purposes: true, extraScopes: true, clientId: true } } },
  });
  if (!link || link.orgId !== org || link.integrationId !== int || link.mailbox !== mbx) return { ok: false as const, problem: "invalid" as const };
  if (link.status === "CONNECTED") return { ok: false as const, problem: "used" as const, link };
  if (link.status === "REVOKED") return { ok: false as const, problem: "revoked" as const, link };
  if (link.expiresAt <= now) return { ok: false as const, problem: "expired" as const, link };
  if (link.status === "PENDING" && opts.markOpened !== false) {
    await db.consentLink.updateMany({ where: { id: link.id, status: "PENDING" }, data: { status: "OPENED", openedAt: now } });
  }
  return { ok: true as const, link };
}

async function verify(secret: string, token: string, audience: string, now: Date) {
  try {
    const { payload } = await jwtVerify(token, keyFor(secret, audience), { issuer: ISSUER, audience, algorithms: ["HS256"], currentDate: now });
    return { ok: true as const, payload };
  } catch (e) {
    if (e instanceof joseErrors.JWTExpired) return { ok: false as const, problem: "expired" as const };
    return { ok: false as const, problem: "invalid" as const };
  }
}

export async function listConsentLinks(db: Db, orgId: string) {
  return db.consentLink.findMany({
    where: { orgId },
    include: { integration: { select: { name: true } } },
    orderBy: { createdAt: "desc" },
    take: 100,
  });
}

export type LinkState = "sent" | "pending" | "opened" | "connected" | "expired" | "revoked";

export function linkState(link: Pick<ConsentLink, "status" | "expiresAt" | "emailedAt">, now = new Date()): LinkState {
  if (link.status === "CONNECTED") return "connected";
  if (link.status === "REVOKED") return "revoked";
  if (link.expiresAt <= now) return "expired";
  if (link.status === "OPENED") return "opened";
  return link.emailedAt ? "sent" : "pending";
}

export async function revokeConsentLink(db: Db, orgId: string, actor: Actor, id: string, meta?: RequestMeta) {
  const link = await db.consentLink.findFirst({ where: { id, orgId } });
  if (!link) throw notFound("That consent link");
  if (link.status === "CONNECTED") throw new AppError("conflict", "This link was already used to connect the mailbox; disconnect the mailbox instead.");
  await db.$transaction(async (tx) => {
    await tx.consentLink.update({ where: { id }, data: { status: "REVOKED" } });
    await record(tx, { action: "consent_link.revoked", orgId, actor, targetType: "consent_link", targetId: id, data: { mailbox: link.mailbox }, meta });
  });
}

export async function markEmailed(db: Db, id: string, now = new Date()) {
  await db.consentLink.update({ where: { id }, data: { emailedAt: now } });
}

/** The admin-consent link an org admin forwards to a Microsoft 365 admin (reusable until it expires). */
export async function signAdminConsentToken(secret: string, input: { orgId: string; integrationId: string }, now = new Date()) {
  return new SignJWT({ org: input.orgId, int: input.integrationId })
    .setProtectedHeader({ alg: "HS256" })
    .setIssuer(ISSUER)
    .setAudience("admin-consent")
    .setIssuedAt(Math.floor(now.getTime() / 1000))
    .setExpirationTime(Math.floor(now.getTime() / 1000) + CONSENT_LINK_DAYS * 86_400)
    .sign(keyFor(secret, "admin-consent"));
}

export async function verifyAdminConsentToken(secret: string, token: string, now = new Date()) {
  const r = await verify(secret, token, "admin-consent", now);
  if (!r.ok) return r;
  const { org, int } = r.payload as { org?: string; int?: string };
  if (!org || !int) return { ok: false as const, problem: "invalid" as const };
  return { ok: true as const, orgId: org, integrationId: int };
}

export type { MailboxKind };
