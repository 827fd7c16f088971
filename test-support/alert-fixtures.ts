import http from "node:http";
import { randomBytes } from "node:crypto";
import type { AddressInfo, LookupFunction } from "node:net";
import type { PrismaClient } from "@/generated/prisma/client";
import type { Keyring } from "@/lib/crypto";
import type { AlertDeps } from "@/lib/alerts/deps";
import type { EventData, EventType } from "@/lib/alerts/events";
import { createOrg } from "@/lib/orgs/orgs";
import { makeUser } from "./test-db";

// Helpers shared by the alert delivery tests: a local webhook receiver, an org with people of
// every role, events with a delivery to one channel, and a clock the test moves.

export type Received = { path: string; headers: Record<string, string>; body: string };

/** A webhook receiver on 127.0.0.1: each path answers the statuses scripted for it in turn (the last repeats; 204 if none). */
export async function startReceiver() {
  const received: Received[] = [];
  const scripts = new Map<string, number[]>();
  const waiting: ((r: Received) => void)[] = [];
  const server = http.createServer((req, res) => {
    let body = "";
    req.on("data", (c: Buffer) => (body += c.toString()));
    req.on("end", () => {
      const path = req.url ?? "/";
      const r: Received = { path, headers: Object.fromEntries(Object.entries(req.headers).map(([k, v]) => [k, String(v)])), body };
      received.push(r);
      const script = scripts.get(path) ?? [];
      const status = script.length > 1 ? script.shift()! : (script[0] ?? 204);
      res.writeHead(status).end(status >= 400 ? `status ${status}` : "");
      for (const w of waiting.splice(0)) w(r);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const port = (server.address() as AddressInfo).port;
  return {
    port,
    url: (path: string) => `http://127.0.0.1:${port}${path}`,
    received,
    at: (path: string) => received.filter((r) => r.path === path),
    script: (path: string, statuses: number[]) => void scripts.set(path, [...statuses]),
    /** Resolves with the next request to arrive. */
    next: () => new Promise<Received>((resolve) => waiting.push(resolve)),
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
export type Receiver = Awaited<ReturnType<typeof startReceiver>>;

/** A DNS stand-in answering `address` for every name. */
export const lookupTo = (address: string): LookupFunction =>
  ((_host: string, o: { all?: boolean }, cb: (e: null, a: unknown, f?: number) => void) => {
    const family = address.includes(":") ? 6 : 4;
    if (o.all) cb(null, [{ address, family }]);
    else cb(null, address, family);
  }) as LookupFunction;

/** An org with an owner, an admin, a member and a viewer. */
export async function alertOrg(db: PrismaClient, slug = `alerts-${randomBytes(3).toString("hex")}`) {
  const owner = await makeUser(db);
  const org = await createOrg(db, owner, { name: `Org ${slug}`, slug });
  const people = { owner, admin: await makeUser(db), member: await makeUser(db), viewer: await makeUser(db) };
  await db.membership.createMany({
    data: [
      { orgId: org.id, userId: people.admin.id, role: "ADMIN" },
      { orgId: org.id, userId: people.member.id, role: "MEMBER" },
      { orgId: org.id, userId: people.viewer.id, role: "VIEWER" },
    ],
  });
  return { org, ...people };
}

/** A clock the test sets. */
export function testClock(start: Date) {
  let t = start.getTime();
  return { now: () => new Date(t), set: (d: Date) => void (t = d.getTime()), advance: (ms: number) => void (t += ms) };
}

export const alertDeps = (db: PrismaClient, keyring: Keyring, over: Partial<AlertDeps> = {}): AlertDeps => ({
  db,
  keyring,
  mail: null,
  publicUrl: "https://portal.test",
  allowLocalWebhooks: true,
  linkSecret: "test-link-secret",
  ...over,
});

/** A connection.failing payload (no connection row needed: the payload is what is sent). */
export function failingPayload(org: { id: string; slug: string; name: string }, mailbox = "support@contoso.test"): EventData["connection.failing"] {
  return {
    org: { id: org.id, slug: org.slug, name: org.name },
    connection: { id: "00000000-0000-4000-8000-000000000001", mailbox, kind: "user", displayName: null, tenantId: "t1", url: `https://portal.test/orgs/${org.slug}/mailboxes/1` },
    integration: { id: "i1", name: "Helpdesk", cloud: "global" },
    health: "FAILING",
    failure: { class: "needs_reconsent", code: "AADSTS65001", title: "Consent withdrawn", reason: "The grant no longer works.", explanation: "The app's consent was removed.", fix: "Re-consent from the mailbox page." },
    firstFailedAt: "2026-05-01T10:00:00.000Z",
  };
}

/** An event and its PENDING delivery to one channel, due at `at` (what the lead's emit makes). */
export async function eventFor(db: PrismaClient, orgId: string, channelId: string, at: Date, type: EventType = "connection.failing", payload: object) {
  const event = await db.alertEvent.create({ data: { orgId, type, payload, createdAt: at } });
  const delivery = await db.alertDelivery.create({ data: { orgId, eventId: event.id, channelId, nextAttemptAt: at, createdAt: at } });
  return { event, delivery };
}
