import { randomBytes } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { makeUser, openTestDb } from "@/test-support/test-db";
import type { Database } from "@/lib/db-client";
import { parseKeyring } from "@/lib/crypto";
import { createOrg } from "@/lib/orgs/orgs";
import { createIntegration, deleteIntegration, getIntegration, getIntegrationWithSecrets, listIntegrations, rotateCredential, updateIntegration } from "./integrations";
import { parseCredential, parseSettings } from "./input";

const keyring = parseKeyring(`k1:${randomBytes(32).toString("base64")}`);
const SECRET = "Hd7Q~Contoso.Helpdesk_Secret~00000001x";
const validation = { allowCustomHosts: false };

let database: Database;
beforeAll(async () => { database = await openTestDb(); });
afterAll(async () => { await database.close(); });

async function setup(slug: string) {
  const db = database.prisma;
  const owner = await makeUser(db);
  const org = await createOrg(db, owner, { name: `Org ${slug}`, slug });
  const settings = parseSettings({ name: "Helpdesk mail", cloud: "global", tenantMode: "single", tenant: "contoso.onmicrosoft.com", clientId: "C0A70500-0000-4000-8000-0000000000E1", purposes: ["imap", "smtp"] }, validation);
  const credential = parseCredential({ credentialType: "SECRET", secret: SECRET, secretExpiresAt: "2027-05-31" }, settings.clientId);
  const integration = await createIntegration(db, keyring, org.id, owner, settings, credential);
  return { db, owner, org, settings, integration };
}

describe("integrations", () => {
  it("stores the secret encrypted: the row, the default read and the audit log never contain it", async () => {
    const { db, org, integration } = await setup("int-secret");
    const row = await db.integration.findUniqueOrThrow({ where: { id: integration.id } });
    expect(JSON.stringify(row)).not.toContain(SECRET);
    expect(row.secretEncrypted).toMatch(/"kid":"k1"/);
    expect(JSON.stringify(integration)).not.toContain("secretEncrypted");
    expect(JSON.stringify(await listIntegrations(db, org.id))).not.toContain(row.secretEncrypted!);
    expect(JSON.stringify(await db.auditEvent.findMany({ where: { orgId: org.id } }))).not.toContain(SECRET);
    expect((await getIntegrationWithSecrets(db, keyring, org.id, integration.id)).secret).toBe(SECRET);
    expect(row.clientId).toBe("c0a70500-0000-4000-8000-0000000000e1");
  });

  it("a ciphertext copied to another integration's row does not decrypt", async () => {
    const a = await setup("int-copy-a");
    const b = await setup("int-copy-b");
    const stolen = (await a.db.integration.findUniqueOrThrow({ where: { id: a.integration.id } })).secretEncrypted;
    await b.db.integration.update({ where: { id: b.integration.id }, data: { secretEncrypted: stolen } });
    await expect(getIntegrationWithSecrets(b.db, keyring, b.org.id, b.integration.id)).rejects.toMatchObject({ code: "conflict", message: expect.stringMatching(/integrity check.*Replace the credential/) });
  });

  it("is invisible to other orgs, by list, by id and for changes", async () => {
    const a = await setup("int-tenancy-a");
    const b = await setup("int-tenancy-b");
    expect(await getIntegration(a.db, b.org.id, a.integration.id)).toBeNull();
    expect((await listIntegrations(a.db, b.org.id)).map((i) => i.id)).not.toContain(a.integration.id);
    await expect(deleteIntegration(a.db, b.org.id, b.owner, a.integration.id)).rejects.toMatchObject({ code: "not_found" });
    await expect(getIntegrationWithSecrets(a.db, keyring, b.org.id, a.integration.id)).rejects.toMatchObject({ code: "not_found" });
    await expect(updateIntegration(a.db, b.org.id, b.owner, a.integration.id, a.settings)).rejects.toMatchObject({ code: "not_found" });
    expect(await getIntegration(a.db, a.org.id, a.integration.id)).toMatchObject({ id: a.integration.id, orgId: a.org.id });
  });

  it("changing scopes or endpoints needs re-consent; renaming does not", async () => {
    const { db, owner, org, settings, integration } = await setup("int-reconsent");
    const renamed = await updateIntegration(db, org.id, owner, integration.id, { ...settings, name: "Renamed" });
    expect(renamed.reconsentNeeded).toBe(false);
    expect(renamed.integration.configVersion).toBe(1);
    const widened = await updateIntegration(db, org.id, owner, integration.id, { ...settings, name: "Renamed", purposes: ["imap", "smtp", "pop"] });
    expect(widened).toMatchObject({ reconsentNeeded: true, integration: { configVersion: 2, status: "UNCHECKED" } });
  });

  it("rotating the credential replaces it and audits without the value", async () => {
    const { db, owner, org, integration } = await setup("int-rotate");
    const next = "Nx9Q~Rotated.Secret_Value~000000000002";
    await rotateCredential(db, keyring, org.id, owner, integration.id, parseCredential({ credentialType: "SECRET", secret: next }), undefined);
    expect((await getIntegrationWithSecrets(db, keyring, org.id, integration.id)).secret).toBe(next);
    const audit = await db.auditEvent.findMany({ where: { orgId: org.id, action: "integration.credential_rotated" } });
    expect(audit).toHaveLength(1);
    expect(JSON.stringify(audit)).not.toContain(next);
  });

  it("refuses a duplicate name, naming the field", async () => {
    const { db, owner, org, settings } = await setup("int-dup");
    await expect(createIntegration(db, keyring, org.id, owner, settings, parseCredential({ credentialType: "SECRET", secret: SECRET }))).rejects.toMatchObject({ code: "conflict", field: "name" });
  });
});

describe("integration input", () => {
  const base = { name: "Mail", cloud: "global", tenantMode: "single", tenant: "contoso.onmicrosoft.com", clientId: "c0a70500-0000-4000-8000-0000000000e1", purposes: ["imap"] };
  it("explains a Secret ID pasted instead of the Value", () => {
    expect(() => parseCredential({ credentialType: "SECRET", secret: "5ec12e70-0000-4000-8000-000000000101" })).toThrow(/looks like the secret's Secret ID/);
    expect(() => parseCredential({ credentialType: "SECRET", secret: base.clientId }, base.clientId)).toThrow(/Application \(client\) ID, not a secret/);
  });
  it("names the field for each bad value", () => {
    const issues = (raw: Record<string, unknown>) => { try { parseSettings(raw, validation); return []; } catch (e) { return (e as { issues: { path: PropertyKey[] }[] }).issues.map((i) => String(i.path[0])); } };
    expect(issues({ ...base, clientId: "abc" })).toEqual(["clientId"]);
    expect(issues({ ...base, tenant: "" })).toEqual(["tenant"]);
    expect(issues({ ...base, purposes: [] })).toEqual(["purposes"]);
    expect(issues({ ...base, tokenEndpoint: "https://login.microsoftonline.com/contoso.onmicrosoft.com/oauth2/token" })).toEqual(["tokenEndpoint"]);
    expect(issues({ ...base, tokenEndpoint: "https://login.microsoftonline.com/contoso.onmicrosoft.com/oauth2/v2.0/token" })).toEqual([]);
    expect(issues({ ...base, cloud: "gcc-high", tokenEndpoint: "https://login.microsoftonline.com/contoso.onmicrosoft.com/oauth2/v2.0/token" })).toEqual(["tokenEndpoint"]);
  });
  it("accepts an expiry date and rejects a malformed one", () => {
    expect(parseCredential({ credentialType: "SECRET", secret: SECRET, secretExpiresAt: "2027-01-31" })).toMatchObject({ secretExpiresAt: new Date("2027-01-31T00:00:00Z") });
    expect(() => parseCredential({ credentialType: "SECRET", secret: SECRET, secretExpiresAt: "31/01/2027" })).toThrow(/Secret expiry/);
  });
});
