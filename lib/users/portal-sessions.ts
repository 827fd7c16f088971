import type { Db } from "@/lib/db-client";
import { record, type RequestMeta } from "@/lib/audit/record";

// Portal sessions live in the database: the signed session cookie only names one. Signing out
// ends it at once, so a cookie copied before sign-out stops working; "sign out everywhere" ends
// every session of the person.

export const SESSION_HOURS = 8;

export async function startPortalSession(db: Db, userId: string, now = new Date()) {
  return db.portalSession.create({ data: { userId, expiresAt: new Date(now.getTime() + SESSION_HOURS * 3_600_000) } });
}

/** The signed-in user of a live session, or null for an unknown, ended or expired one. */
export async function userOfSession(db: Db, sessionId: string | undefined, now = new Date()) {
  if (!sessionId || !/^[0-9a-f-]{36}$/i.test(sessionId)) return null;
  const session = await db.portalSession.findFirst({ where: { id: sessionId, endedAt: null, expiresAt: { gt: now } }, include: { user: true } });
  return session?.user ?? null;
}

export async function endPortalSession(db: Db, sessionId: string | undefined, now = new Date()) {
  if (!sessionId || !/^[0-9a-f-]{36}$/i.test(sessionId)) return;
  await db.portalSession.updateMany({ where: { id: sessionId, endedAt: null }, data: { endedAt: now } });
}

/** Ends every live session of the user, in every browser. Returns how many were ended. */
export async function endAllPortalSessions(db: Db, user: { id: string; email: string }, meta?: RequestMeta, now = new Date()) {
  const { count } = await db.portalSession.updateMany({ where: { userId: user.id, endedAt: null }, data: { endedAt: now } });
  await record(db, { action: "user.signed_out_everywhere", actor: user, targetType: "user", targetId: user.id, data: { sessions: count }, meta });
  return count;
}
