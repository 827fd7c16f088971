import { randomBytes } from "node:crypto";
import { afterAll, beforeAll, expect, it } from "vitest";
import { makeUser, openTestDb } from "@/test-support/test-db";
import type { Database } from "@/lib/db-client";
import { parseEnvelope, parseKeyring } from "@/lib/crypto";
import { createOrg } from "@/lib/orgs/orgs";
import { createIntegration, getIntegrationWithSecrets } from "./integrations";
import { parseCredential, parseSettings } from "./input";
import { reencryptIntegrations } from "./reencrypt-credentials";

let database: Database;
beforeAll(async () => { database = await openTestDb(); });
afterAll(async () => { await database.close(); });

it("moves every credential to the newest key; they still decrypt; a second run changes nothing", async () => {
  const db = database.prisma;
  const oldKey = `k1:${randomBytes(32).toString("base64")}`;
  const before = parseKeyring(oldKey);
  const owner = await makeUser(db);
  const org = await createOrg(db, owner, { name: "Rotation", slug: "key-rotation" });
  const settings = parseSettings({ name: "Mail", cloud: "global", tenantMode: "single", tenant: "contoso.onmicrosoft.com", clientId: crypto.randomUUID(), purposes: ["imap"] }, { allowCustomHosts: false });
  const secret = "Rk1Q~Rotation.Secret_Value~00000000001";
  const integration = await createIntegration(db, before, org.id, owner, settings, parseCredential({ credentialType: "SECRET", secret }));

  const after = parseKeyring(`k2:${randomBytes(32).toString("base64")},${oldKey}`);
  expect(await reencryptIntegrations(db, after)).toMatchObject({ reencrypted: 1 });
  const row = await db.integration.findUniqueOrThrow({ where: { id: integration.id } });
  expect(parseEnvelope(row.secretEncrypted!).kid).toBe("k2");
  expect((await getIntegrationWithSecrets(db, parseKeyring(after.current.id + ":" + after.current.key.toString("base64")), org.id, integration.id)).secret).toBe(secret);
  expect(await reencryptIntegrations(db, after)).toMatchObject({ reencrypted: 0 });
});
