import { randomBytes } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { HELPDESK, setupTestEmulator } from "@/emulator/test-support";
import { openTestDb } from "@/test-support/test-db";
import { orgWithIntegration } from "@/test-support/org-fixtures";
import type { Database } from "@/lib/db-client";
import { parseKeyring } from "@/lib/crypto";
import { hostMapFromBase } from "@/lib/microsoft/endpoints";
import { evaluateAlerts } from "@/lib/alerts/evaluate";
import { credentialsSweep } from "./credentials-check";

// The daily credentials sweep against the emulator: an integration whose secret Microsoft no
// longer accepts turns FAILING, which the evaluator tells once as integration.credentials_failing.

const emu = setupTestEmulator();
const keyring = parseKeyring(`k1:${randomBytes(32).toString("base64")}`);
let database: Database;
beforeAll(async () => { database = await openTestDb(); });
afterAll(async () => { await database.close(); });

describe("credentials sweep", () => {
  it("checks every integration with a credential; an expired secret fails and is told once", async () => {
    const db = database.prisma;
    const good = await orgWithIntegration(db, keyring, `cred-good-${randomBytes(3).toString("hex")}`, { clientId: HELPDESK.clientId, secret: HELPDESK.secret });
    const bad = await orgWithIntegration(db, keyring, `cred-bad-${randomBytes(3).toString("hex")}`, { clientId: HELPDESK.clientId, secret: HELPDESK.expiredSecret });
    const r = await credentialsSweep({ db, keyring, hostMap: hostMapFromBase(emu.http) });
    expect(r).toEqual({ checked: 2, failing: 1, errors: 0 });
    expect((await db.integration.findUniqueOrThrow({ where: { id: good.integration.id } })).status).toBe("CREDENTIALS_OK");
    expect((await db.integration.findUniqueOrThrow({ where: { id: bad.integration.id } })).status).toBe("FAILING");

    await evaluateAlerts(db, { publicUrl: "https://portal.example" });
    await credentialsSweep({ db, keyring, hostMap: hostMapFromBase(emu.http) });
    await evaluateAlerts(db, { publicUrl: "https://portal.example" });
    const told = await db.alertEvent.findMany({ where: { type: { startsWith: "integration.credentials" } } });
    expect(told.map((e) => [e.orgId, e.type])).toEqual([[bad.org.id, "integration.credentials_failing"]]);
    expect(told[0]!.payload).toMatchObject({ failure: { code: "AADSTS7000222", title: "The client secret has expired" } });
  });
});
