import { randomBytes } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { Webhook } from "standardwebhooks";
import type PgBoss from "pg-boss";
import { openTestDb } from "@/test-support/test-db";
import { alertDeps, alertOrg, eventFor, failingPayload, lookupTo, startReceiver, testClock, type Receiver } from "@/test-support/alert-fixtures";
import type { Database } from "@/lib/db-client";
import { parseKeyring } from "@/lib/crypto";
import { outboundMail } from "@/lib/mail/outbound";
import { listOutbox } from "@/lib/mail/outbox";
import { AppError } from "@/lib/errors";
import { createEmailChannel, createWebhookChannel } from "./channels";
import { DAY, MAX_ATTEMPTS, attemptDelivery } from "./deliver";
import { handleDeliveryJob } from "./delivery-queue";

// Delivery against a local receiver on the embedded database, driven attempt by attempt with a
// clock the test moves: no sleeping, no timing assertions.

const keyring = parseKeyring(`k1:${randomBytes(32).toString("base64")}`);
const T0 = new Date("2026-05-01T10:00:00.000Z");
let database: Database;
let rx: Receiver;
beforeAll(async () => {
  database = await openTestDb();
  rx = await startReceiver();
});
afterAll(async () => {
  await rx.close();
  await database.close();
});

/** A fake pg-boss that records what is inserted. */
function recordingBoss() {
  const inserted: PgBoss.JobInsert[] = [];
  return { inserted, insert: async (jobs: PgBoss.JobInsert[]) => void inserted.push(...jobs) } as unknown as Pick<PgBoss, "insert"> & { inserted: PgBoss.JobInsert[] };
}

const delivery = (id: string) => database.prisma.alertDelivery.findUniqueOrThrow({ where: { id } });
const channel = (id: string) => database.prisma.alertChannel.findUniqueOrThrow({ where: { id } });

describe("webhook delivery", () => {
  it("the receiver verifies the signature with standardwebhooks and gets the envelope", async () => {
    const s = await alertOrg(database.prisma);
    const clock = testClock(T0);
    const deps = alertDeps(database.prisma, keyring, { now: clock.now });
    const { channel: c, secret } = await createWebhookChannel(deps, s.org.id, s.owner, { name: "Ops", url: rx.url("/verify"), events: ["connection.failing"] });
    const payload = failingPayload(s.org);
    const { event, delivery: d } = await eventFor(database.prisma, s.org.id, c.id, T0, "connection.failing", payload);

    const arrived = rx.next();
    const view = await attemptDelivery(deps, d.id);
    const req = await arrived;
    expect(view).toMatchObject({ ok: true, statusCode: 204, attempt: 1, error: null });
    expect(new Webhook(secret).verify(req.body, req.headers)).toEqual({ id: event.id, type: "connection.failing", timestamp: T0.toISOString(), data: payload });
    expect(req.headers["webhook-id"]).toBe(event.id);
    expect(req.headers["user-agent"]).toBe("Mailgrant-Webhooks/1");
    expect(await delivery(d.id)).toMatchObject({ status: "DELIVERED", attempts: 1, lastStatusCode: 204, deliveredAt: T0, nextAttemptAt: null, lastError: null });
    expect(await channel(c.id)).toMatchObject({ lastDeliveryOk: true, lastDeliveryAt: T0, failingSince: null });
  });

  it("a receiver that fails twice then succeeds gets the event on the third attempt, each job queuing the next", async () => {
    const s = await alertOrg(database.prisma);
    const clock = testClock(T0);
    const deps = alertDeps(database.prisma, keyring, { now: clock.now });
    rx.script("/flaky", [500, 503, 200]);
    const { channel: c, secret } = await createWebhookChannel(deps, s.org.id, s.owner, { name: "Flaky", url: rx.url("/flaky"), events: ["connection.failing"] });
    const { event, delivery: d } = await eventFor(database.prisma, s.org.id, c.id, T0, "connection.failing", failingPayload(s.org));
    const boss = recordingBoss();

    const first = await handleDeliveryJob(deps, boss, { deliveryId: d.id, attempt: 1 });
    expect(first.attempt).toMatchObject({ ok: false, statusCode: 500, attempt: 1, error: "The receiver answered HTTP 500: status 500" });
    const afterFirst = await delivery(d.id);
    expect(afterFirst).toMatchObject({ status: "PENDING", attempts: 1, lastStatusCode: 500 });
    // About a minute later (±20 %).
    const wait1 = afterFirst.nextAttemptAt!.getTime() - T0.getTime();
    expect(wait1).toBeGreaterThanOrEqual(48_000);
    expect(wait1).toBeLessThanOrEqual(72_000);
    expect(first.next).toEqual({ attempt: 2, at: afterFirst.nextAttemptAt });
    expect((await channel(c.id)).failingSince).toEqual(T0);

    // A job that comes early (a duplicate) does nothing and queues the same next job.
    expect((await handleDeliveryJob(deps, boss, { deliveryId: d.id, attempt: 2 })).attempt).toBeNull();
    expect(boss.inserted.map((j) => j.id)).toEqual([boss.inserted[0]!.id, boss.inserted[0]!.id]);

    clock.set(afterFirst.nextAttemptAt!);
    const second = await handleDeliveryJob(deps, boss, { deliveryId: d.id, attempt: 2 });
    expect(second.attempt).toMatchObject({ ok: false, statusCode: 503, attempt: 2 });
    const afterSecond = await delivery(d.id);
    clock.set(afterSecond.nextAttemptAt!);
    const third = await handleDeliveryJob(deps, boss, { deliveryId: d.id, attempt: 3 });
    expect(third).toMatchObject({ attempt: { ok: true, statusCode: 200, attempt: 3 }, next: null });

    const got = rx.at("/flaky");
    expect(got).toHaveLength(3);
    // The same webhook-id every time: the receiver de-duplicates on it.
    expect(new Set(got.map((r) => r.headers["webhook-id"]))).toEqual(new Set([event.id]));
    expect(new Webhook(secret).verify(got[2]!.body, got[2]!.headers)).toMatchObject({ id: event.id });
    expect(await delivery(d.id)).toMatchObject({ status: "DELIVERED", attempts: 3, lastStatusCode: 200, lastError: null });
    const attempts = await database.prisma.alertAttempt.findMany({ where: { deliveryId: d.id }, orderBy: { attempt: "asc" } });
    expect(attempts.map((a) => [a.attempt, a.statusCode])).toEqual([[1, 500], [2, 503], [3, 200]]);
    expect(await channel(c.id)).toMatchObject({ failingSince: null, lastDeliveryOk: true, status: "ACTIVE" });
    expect(boss.inserted.map((j) => (j.data as { attempt: number }).attempt)).toEqual([2, 2, 3]);
  });

  it("a receiver down for the whole window: each delivery gives up after 6 attempts, and after 3 days of failures the channel is paused and the admins are mailed", async () => {
    const s = await alertOrg(database.prisma);
    const clock = testClock(T0);
    const deps = alertDeps(database.prisma, keyring, { now: clock.now, mail: outboundMail("outbox", undefined, database.prisma) });
    rx.script("/down", [503]);
    const { channel: c } = await createWebhookChannel(deps, s.org.id, s.owner, { name: "Down hook", url: rx.url("/down"), events: ["connection.failing"] });
    const noJitter = () => 0.5;
    // One event a day; every due attempt is made when it is due, oldest first.
    const events = [0, 1, 2, 3].map((n) => new Date(T0.getTime() + n * DAY));
    const deliveries: string[] = [];
    for (let step = 0; step < 100; step += 1) {
      const pending = await database.prisma.alertDelivery.findMany({ where: { channelId: c.id, status: "PENDING" }, orderBy: { nextAttemptAt: "asc" }, take: 1 });
      const due = pending[0]?.nextAttemptAt ?? null;
      const nextEvent = events[0] ?? null;
      if (!due && !nextEvent) break;
      if (nextEvent && (!due || nextEvent <= due)) {
        events.shift();
        clock.set(nextEvent);
        deliveries.push((await eventFor(database.prisma, s.org.id, c.id, nextEvent, "connection.failing", failingPayload(s.org))).delivery.id);
        continue;
      }
      clock.set(due!);
      await attemptDelivery(deps, pending[0]!.id, { random: noJitter });
    }

    const first = await delivery(deliveries[0]!);
    expect(first).toMatchObject({ status: "FAILED", attempts: MAX_ATTEMPTS, nextAttemptAt: null, lastStatusCode: 503 });
    const firstAttempts = await database.prisma.alertAttempt.findMany({ where: { deliveryId: first.id }, orderBy: { attempt: "asc" } });
    // Six attempts over about a day (1 min, 10 min, 1 h, 6 h, 16 h apart).
    expect(firstAttempts).toHaveLength(6);
    expect(firstAttempts.at(-1)!.at.getTime() - T0.getTime()).toBe((1 + 10 + 60 + 360 + 960) * 60_000);

    const paused = await channel(c.id);
    expect(paused).toMatchObject({ status: "PAUSED", failingSince: T0, lastDeliveryOk: false });
    expect(paused.pausedAt!.getTime() - T0.getTime()).toBeGreaterThanOrEqual(3 * DAY);
    expect(paused.pausedReason).toMatch(/^Paused automatically: every delivery since 2026-05-01 10:00 UTC \(3 days\) failed\. Last error: The receiver answered HTTP 503/);
    // The last event's delivery: its first attempt paused the channel; its next is skipped.
    expect(await delivery(deliveries[3]!)).toMatchObject({ status: "SKIPPED", lastError: "channel paused", nextAttemptAt: null });
    expect(await database.prisma.auditEvent.count({ where: { orgId: s.org.id, action: "alert_channel.paused", targetId: c.id } })).toBe(1);

    const mails = (await listOutbox(database.prisma, { limit: 50 })).filter((m) => m.orgId === s.org.id);
    expect(mails).toHaveLength(1);
    expect(mails[0]!.to.sort()).toEqual([s.owner.email, s.admin.email].map((e) => e.toLowerCase()).sort());
    expect(mails[0]!.subject).toBe('[Mailgrant] Alert channel "Down hook" paused after 3 days of failures');
    expect(mails[0]!.text).toContain("The receiver answered HTTP 503");
    expect(mails[0]!.text).toContain(`Settings: https://portal.test/orgs/${s.org.slug}/settings`);
    expect(mails[0]!.text).toMatch(/Resume the channel/);

    // A redelivery by hand still goes out on the paused channel (is the receiver back?).
    rx.script("/down", [200]);
    const manual = await attemptDelivery(deps, deliveries[3]!, { manual: true });
    expect(manual).toMatchObject({ ok: true, statusCode: 200 });
    expect(await channel(c.id)).toMatchObject({ status: "PAUSED", failingSince: null, lastDeliveryOk: true });
  });

  it("a URL that resolves to 127.0.0.1 is refused without the switch, at save and at send", async () => {
    const s = await alertOrg(database.prisma);
    const strict = alertDeps(database.prisma, keyring, { allowLocalWebhooks: false, lookup: lookupTo("127.0.0.1") });
    const url = `https://hooks.public-example.com:${rx.port}/rebind`;
    const refused = await createWebhookChannel(strict, s.org.id, s.owner, { name: "Sneaky", url, events: ["connection.failing"] }).catch((e: unknown) => e);
    expect(refused).toBeInstanceOf(AppError);
    expect(refused).toMatchObject({ code: "invalid_input", field: "url", message: "hooks.public-example.com resolves to 127.0.0.1, a loopback address; Mailgrant only sends webhooks to public addresses." });

    // Saved while the name answered a public address; by the time of sending it answers 127.0.0.1 (DNS rebinding).
    const atSave = alertDeps(database.prisma, keyring, { allowLocalWebhooks: false, lookup: lookupTo("93.184.215.14") });
    const { channel: c } = await createWebhookChannel(atSave, s.org.id, s.owner, { name: "Rebinding", url, events: ["connection.failing"] });
    const { delivery: d } = await eventFor(database.prisma, s.org.id, c.id, new Date(), "connection.failing", failingPayload(s.org));
    const view = await attemptDelivery(strict, d.id);
    expect(view).toMatchObject({ ok: false, statusCode: null, error: expect.stringContaining("resolves to 127.0.0.1, a loopback address") });
    expect(rx.at("/rebind")).toHaveLength(0);

    // With the switch, the same delivery goes through (to the local receiver, over http).
    const local = alertDeps(database.prisma, keyring, { allowLocalWebhooks: true });
    await database.prisma.alertChannel.update({ where: { id: c.id }, data: { url: rx.url("/rebind") } });
    expect(await attemptDelivery(local, d.id, { manual: true })).toMatchObject({ ok: true });
    // A local URL saved under the switch is refused at send once the switch is off.
    expect(await attemptDelivery(strict, d.id, { manual: true })).toMatchObject({ ok: false, error: expect.stringMatching(/^Webhook URLs must start with https:\/\//) });
  });
});

describe("email delivery", () => {
  it("sends to the org's owners and admins plus the channel's addresses, once each, with text and HTML", async () => {
    const s = await alertOrg(database.prisma);
    const deps = alertDeps(database.prisma, keyring, { mail: outboundMail("outbox", undefined, database.prisma) });
    const c = await createEmailChannel(deps, s.org.id, s.owner, { name: "Ops mail", includeAdmins: true, recipients: `Pager@Example.com\n${s.admin.email.toUpperCase()}`, events: ["connection.failing"] });
    const { delivery: d } = await eventFor(database.prisma, s.org.id, c.id, new Date(), "connection.failing", failingPayload(s.org, "help@contoso.test"));
    const view = await attemptDelivery(deps, d.id);
    expect(view).toMatchObject({ ok: true, error: null });
    const expected = [s.owner.email, s.admin.email, "pager@example.com"].map((e) => e.toLowerCase());
    expect(view!.request).toMatchObject({ to: expected, subject: "[Mailgrant] help@contoso.test stopped working: Consent withdrawn" });
    const [mail] = (await listOutbox(database.prisma)).filter((m) => m.orgId === s.org.id);
    expect(mail!.to).toEqual(expected);
    expect(mail!.to).not.toContain(s.member.email.toLowerCase());
    expect(mail!.text).toContain("What to do: Re-consent from the mailbox page.");
    expect(mail!.html).toContain(`href="https://portal.test/orgs/${s.org.slug}/mailboxes/1"`);
    expect(await delivery(d.id)).toMatchObject({ status: "DELIVERED", attempts: 1 });
  });

  it("with no mail configured, the attempt fails and says to set MAILGRANT_SMTP_URL", async () => {
    const s = await alertOrg(database.prisma);
    const deps = alertDeps(database.prisma, keyring, { mail: null });
    const [c] = await database.prisma.alertChannel.findMany({ where: { orgId: s.org.id, kind: "EMAIL" } });
    const { delivery: d } = await eventFor(database.prisma, s.org.id, c!.id, new Date(), "connection.failing", failingPayload(s.org));
    expect(await attemptDelivery(deps, d.id)).toMatchObject({ ok: false, error: expect.stringContaining("set MAILGRANT_SMTP_URL") });
    expect(await delivery(d.id)).toMatchObject({ status: "PENDING", attempts: 1, lastError: expect.stringContaining("MAILGRANT_SMTP_URL") });
  });
});
