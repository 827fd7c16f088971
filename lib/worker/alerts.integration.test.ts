import { randomBytes } from "node:crypto";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { Webhook } from "standardwebhooks";
import { setupTestEmulator } from "@/emulator/test-support";
import { emulatorAdmin } from "@/emulator/client";
import { openTestDb } from "@/test-support/test-db";
import { CONTOSO_USERS, contosoConnections, until, workerTestDeps } from "@/test-support/worker-fixtures";
import { alertDeps, startReceiver, type Receiver } from "@/test-support/alert-fixtures";
import type { Database } from "@/lib/db-client";
import { parseKeyring } from "@/lib/crypto";
import { createWebhookChannel } from "@/lib/alerts/channels";
import { startWorker, type WorkerHandle } from "./worker";

// The worker's alerting end to end in one process: a scheduled check fails, the evaluator records
// one connection.failing, its delivery runs as a pg-boss job and the receiver gets it signed; the
// fix brings one connection.recovered. On the embedded database (and PostgreSQL in CI).

const emu = setupTestEmulator();
const keyring = parseKeyring(`k1:${randomBytes(32).toString("base64")}`);
const PERIOD_S = 86_400;

let database: Database;
let hook: Receiver;
const workers: WorkerHandle[] = [];
beforeAll(async () => {
  database = await openTestDb();
  hook = await startReceiver();
});
afterAll(async () => {
  await hook.close();
  await database.close();
});
afterEach(async () => {
  await Promise.all(workers.splice(0).map((w) => w.stop()));
});

describe("worker alerts", () => {
  it("a failing scheduled check sends one signed connection.failing through the delivery queue, and its fix one connection.recovered", async () => {
    const db = database.prisma;
    const c = await contosoConnections(db, keyring, emu, [CONTOSO_USERS.megan], ["graph-read", "smtp"]);
    const id = c.ids[0]!;
    const deps = alertDeps(db, keyring, { publicUrl: "https://portal.test" });
    const { secret } = await createWebhookChannel(deps, c.org.id, c.owner, { name: "Receiver", url: hook.url("/alerts"), events: ["connection.failing", "connection.recovered"] });
    const w = await startWorker({ database, deps: workerTestDeps(emu, keyring), alerts: deps, config: { tickSeconds: 60, intervalOverrideSeconds: PERIOD_S, leaseSeconds: 30, concurrency: 4, alertGroupSeconds: 0 } });
    workers.push(w);
    const checkNow = async () => {
      await db.connection.update({ where: { id }, data: { nextCheckAt: new Date() } });
      expect(await w.tickNow()).toBe(1);
      await w.idle();
      await w.alertsNow();
    };
    const ofType = (t: string) => hook.at("/alerts").filter((r) => (JSON.parse(r.body) as { type: string }).type === t);
    const megan = (await db.connection.findUniqueOrThrow({ where: { id } })).mailbox;
    const mail = emulatorAdmin(emu.http);
    try {
      await checkNow();
      expect((await db.connection.findUniqueOrThrow({ where: { id } })).health).toBe("HEALTHY");

      await mail.updateUser(megan, { smtpAuthDisabled: true });
      await checkNow();
      const failing = await until("connection.failing at the receiver", async () => ofType("connection.failing")[0]);
      const event = new Webhook(secret).verify(failing.body, failing.headers) as { data: { connection: { id: string }; failure: { code: string } } };
      expect(event.data).toMatchObject({ connection: { id }, failure: { code: "smtp_auth_disabled" } });
      const delivery = await until("the delivery recorded", () => db.alertDelivery.findFirst({ where: { orgId: c.org.id, status: "DELIVERED", event: { type: "connection.failing" } } }));
      expect(delivery).toMatchObject({ attempts: 1, lastStatusCode: 204 });

      // Failing again at the next check: nothing new.
      await checkNow();
      await mail.updateUser(megan, { smtpAuthDisabled: false });
      await checkNow();
      await until("connection.recovered at the receiver", async () => ofType("connection.recovered")[0]);
      expect(ofType("connection.failing")).toHaveLength(1);
      expect(ofType("connection.recovered")).toHaveLength(1);
      expect(await db.alertEvent.count({ where: { orgId: c.org.id, type: { in: ["connection.failing", "connection.recovered"] } } })).toBe(2);
    } finally {
      await mail.updateUser(megan, { smtpAuthDisabled: false });
    }
  });
});
