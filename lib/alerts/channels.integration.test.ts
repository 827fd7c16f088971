import { randomBytes } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { Webhook } from "standardwebhooks";
import { openTestDb } from "@/test-support/test-db";
import { alertDeps, alertOrg, eventFor, failingPayload, startReceiver, type Receiver } from "@/test-support/alert-fixtures";
import type { Database } from "@/lib/db-client";
import { decryptField, parseKeyring } from "@/lib/crypto";
import { AppError } from "@/lib/errors";
import type { AlertDeps } from "./deps";
import {
  createEmailChannel,
  createWebhookChannel,
  deleteChannel,
  getChannel,
  listChannels,
  listDeliveries,
  redeliver,
  rotateWebhookSecret,
  sendTestEvent,
  setChannelPaused,
  updateChannel,
} from "./channels";

// Channels as an admin manages them: validation that names the field, secrets stored encrypted
// and never audited, everything scoped to its org, test events and redelivery.

const keyring = parseKeyring(`k1:${randomBytes(32).toString("base64")}`);
let database: Database;
let rx: Receiver;
let deps: AlertDeps;
beforeAll(async () => {
  database = await openTestDb();
  rx = await startReceiver();
  deps = alertDeps(database.prisma, keyring);
});
afterAll(async () => {
  await rx.close();
  await database.close();
});

const refusal = (p: Promise<unknown>) => p.then(() => null, (e: unknown) => (e instanceof AppError ? { code: e.code, field: e.field, message: e.message } : e));

describe("channel validation", () => {
  it("names the field and says what to do", async () => {
    const s = await alertOrg(database.prisma);
    const strict = alertDeps(database.prisma, keyring, { allowLocalWebhooks: false });
    const hook = (over: object) => refusal(createWebhookChannel(strict, s.org.id, s.owner, { name: "Ops", url: "https://93.184.215.14/hook", events: ["connection.failing"], ...over }));
    expect(await hook({ name: "  " })).toMatchObject({ code: "invalid_input", field: "name", message: expect.stringMatching(/Enter a name/) });
    expect(await hook({ name: "x".repeat(81) })).toMatchObject({ field: "name", message: "The name can be at most 80 characters long." });
    expect(await hook({ url: "http://93.184.215.14/hook" })).toMatchObject({ field: "url", message: expect.stringMatching(/^Webhook URLs must start with https:\/\//) });
    expect(await hook({ url: "https://10.0.0.5/hook" })).toMatchObject({ field: "url", message: "10.0.0.5 is a private address; Mailgrant only sends webhooks to public addresses." });
    expect(await hook({ events: [] })).toMatchObject({ field: "events", message: "Choose at least one event for this channel to receive." });
    expect(await hook({ events: ["connection.failing", "mailbox.exploded"] })).toMatchObject({ field: "events", message: expect.stringMatching(/^"mailbox\.exploded" is not an event Mailgrant sends/) });
    expect(await hook({ events: ["test"] })).toMatchObject({ field: "events" });

    const mail = (over: object) => refusal(createEmailChannel(deps, s.org.id, s.owner, { name: "Mail", includeAdmins: true, recipients: "", events: ["connection.failing"], ...over }));
    expect(await mail({ recipients: "ops@example.com, not-an-address" })).toMatchObject({ field: "recipients", message: expect.stringMatching(/^"not-an-address" is not an email address/) });
    const many = Array.from({ length: 21 }, (_, i) => `p${i}@example.com`).join(" ");
    expect(await mail({ recipients: many })).toMatchObject({ field: "recipients", message: expect.stringMatching(/^At most 20 addresses \(you entered 21\)/) });
    expect(await mail({ includeAdmins: false, recipients: " \n " })).toMatchObject({ field: "recipients", message: "Add at least one address, or include the org's owners and admins." });
    expect(await database.prisma.alertChannel.count({ where: { orgId: s.org.id } })).toBe(1);
  });
});

describe("channels", () => {
  it("creates a webhook whose secret is shown once, stored encrypted and bound to its row, and audited without it", async () => {
    const s = await alertOrg(database.prisma);
    const { channel, secret } = await createWebhookChannel(deps, s.org.id, s.owner, { name: " Ops hook ", url: rx.url("/crud"), events: ["connection.recovered", "connection.failing"] });
    expect(secret).toMatch(/^whsec_/);
    expect(channel).toMatchObject({ kind: "WEBHOOK", name: "Ops hook", url: rx.url("/crud"), events: ["connection.failing", "connection.recovered"], status: "ACTIVE" });
    expect(channel).not.toHaveProperty("secretEncrypted");
    const row = await database.prisma.alertChannel.findUniqueOrThrow({ where: { id: channel.id } });
    expect(row.secretEncrypted).not.toContain(secret.slice(6, 20));
    expect(decryptField(keyring, row.secretEncrypted!, { orgId: s.org.id, table: "AlertChannel", rowId: channel.id, field: "secret" })).toBe(secret);
    expect(() => decryptField(keyring, row.secretEncrypted!, { orgId: s.org.id, table: "AlertChannel", rowId: crypto.randomUUID(), field: "secret" })).toThrow();

    const rotated = await rotateWebhookSecret(deps, s.org.id, s.owner, channel.id);
    expect(rotated.secret).not.toBe(secret);
    const test = await sendTestEvent(deps, s.org.id, s.owner, channel.id);
    const req = rx.at("/crud").at(-1)!;
    expect(new Webhook(rotated.secret).verify(req.body, req.headers)).toMatchObject({ type: "test", data: { message: expect.stringContaining(s.owner.email) } });
    expect(() => new Webhook(secret).verify(req.body, req.headers)).toThrow();
    expect(test).toMatchObject({ ok: true, statusCode: 204, attempt: 1, request: { method: "POST", url: rx.url("/crud"), headers: { "webhook-id": expect.any(String) } } });

    const audit = await database.prisma.auditEvent.findMany({ where: { orgId: s.org.id, action: { startsWith: "alert_" } }, orderBy: { createdAt: "asc" } });
    // Sorted: rows written within one millisecond have no order.
    expect(audit.map((a) => a.action).sort()).toEqual(["alert_channel.created", "alert_channel.secret_rotated", "alert_channel.test_sent"]);
    expect(audit.find((a) => a.action === "alert_channel.created")!.data).toMatchObject({ host: `127.0.0.1:${rx.port}`, kind: "WEBHOOK" });
    const text = JSON.stringify(audit);
    expect(text).not.toContain(secret.slice(6));
    expect(text).not.toContain(rotated.secret.slice(6));
  });

  it("updates what its kind has, pauses and resumes, deletes, all within its org", async () => {
    const s = await alertOrg(database.prisma);
    const other = await alertOrg(database.prisma);
    const { channel } = await createWebhookChannel(deps, s.org.id, s.owner, { name: "Hook", url: rx.url("/a"), events: ["connection.failing"] });
    const updated = await updateChannel(deps, s.org.id, s.owner, channel.id, { url: rx.url("/b"), events: ["tenant.failing"] });
    expect(updated).toMatchObject({ url: rx.url("/b"), events: ["tenant.failing"], name: "Hook" });
    expect(await refusal(updateChannel(deps, s.org.id, s.owner, channel.id, { recipients: "a@example.com" }))).toMatchObject({ field: "recipients" });
    expect(await refusal(updateChannel(deps, s.org.id, s.owner, channel.id, { events: [] }))).toMatchObject({ field: "events" });
    const [email] = (await listChannels(database.prisma, s.org.id)).filter((c) => c.kind === "EMAIL");
    expect(email).toMatchObject({ name: "Owners and admins", includeAdmins: true });
    expect(await refusal(updateChannel(deps, s.org.id, s.owner, email!.id, { url: rx.url("/x") }))).toMatchObject({ field: "url" });
    expect(await updateChannel(deps, s.org.id, s.owner, email!.id, { recipients: "Pager@Example.com pager@example.com" })).toMatchObject({ recipients: ["pager@example.com"] });

    // Another org's admin sees nothing and changes nothing.
    expect(await getChannel(database.prisma, other.org.id, channel.id)).toBeNull();
    expect(await refusal(updateChannel(deps, other.org.id, other.owner, channel.id, { name: "Mine" }))).toMatchObject({ code: "not_found" });
    expect(await refusal(deleteChannel(database.prisma, other.org.id, other.owner, channel.id))).toMatchObject({ code: "not_found" });
    expect(await refusal(sendTestEvent(deps, other.org.id, other.owner, channel.id))).toMatchObject({ code: "not_found" });
    expect((await listDeliveries(database.prisma, other.org.id, channel.id)).deliveries).toEqual([]);

    await database.prisma.alertChannel.update({ where: { id: channel.id }, data: { failingSince: new Date(Date.now() - 86_400_000) } });
    expect(await setChannelPaused(database.prisma, s.org.id, s.admin, channel.id, true)).toMatchObject({ status: "PAUSED", pausedReason: `Paused by ${s.admin.email}.` });
    expect(await setChannelPaused(database.prisma, s.org.id, s.admin, channel.id, false)).toMatchObject({ status: "ACTIVE", pausedAt: null, pausedReason: null, failingSince: null });
    await deleteChannel(database.prisma, s.org.id, s.owner, channel.id);
    expect(await getChannel(database.prisma, s.org.id, channel.id)).toBeNull();
    const actions = (await database.prisma.auditEvent.findMany({ where: { orgId: s.org.id, targetId: channel.id } })).map((a) => a.action);
    expect(actions.sort()).toEqual(["alert_channel.created", "alert_channel.deleted", "alert_channel.paused", "alert_channel.resumed", "alert_channel.updated"]);
  });

  it("redelivers by hand on a paused channel with the same webhook-id, and pages the delivery log newest first", async () => {
    const s = await alertOrg(database.prisma);
    const { channel } = await createWebhookChannel(deps, s.org.id, s.owner, { name: "Log", url: rx.url("/log"), events: ["connection.failing"] });
    const base = Date.now() - 10 * 60_000;
    const made = [];
    for (let i = 0; i < 5; i += 1) made.push(await eventFor(database.prisma, s.org.id, channel.id, new Date(base + i * 1000), "connection.failing", failingPayload(s.org, `m${i}@contoso.test`)));
    await setChannelPaused(database.prisma, s.org.id, s.owner, channel.id, true);

    const first = await listDeliveries(database.prisma, s.org.id, channel.id, { limit: 2 });
    expect(first.deliveries.map((d) => d.mailbox)).toEqual(["m4@contoso.test", "m3@contoso.test"]);
    const second = await listDeliveries(database.prisma, s.org.id, channel.id, { limit: 2, before: first.next! });
    expect(second.deliveries.map((d) => d.mailbox)).toEqual(["m2@contoso.test", "m1@contoso.test"]);
    const third = await listDeliveries(database.prisma, s.org.id, channel.id, { limit: 2, before: second.next! });
    expect(third).toMatchObject({ deliveries: [{ mailbox: "m0@contoso.test", eventType: "connection.failing", status: "PENDING", attempts: 0 }], next: null });

    const target = made[2]!;
    const once = await redeliver(deps, s.org.id, s.admin, target.delivery.id);
    const twice = await redeliver(deps, s.org.id, s.admin, target.delivery.id);
    expect([once.attempt, twice.attempt]).toEqual([1, 2]);
    expect(twice).toMatchObject({ ok: true, statusCode: 204 });
    expect(rx.at("/log").map((r) => r.headers["webhook-id"])).toEqual([target.event.id, target.event.id]);
    const [row] = (await listDeliveries(database.prisma, s.org.id, channel.id)).deliveries.filter((d) => d.id === target.delivery.id);
    expect(row).toMatchObject({ status: "DELIVERED", attempts: 2, manual: true, lastStatusCode: 204 });
    expect(await refusal(redeliver(deps, crypto.randomUUID(), s.admin, target.delivery.id))).toMatchObject({ code: "not_found" });
    expect(await database.prisma.auditEvent.count({ where: { orgId: s.org.id, action: "alert_delivery.redelivered", targetId: target.delivery.id } })).toBe(2);
  });
});
