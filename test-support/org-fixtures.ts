import type { PrismaClient } from "@/generated/prisma/client";
import type { Keyring } from "@/lib/crypto";
import { createOrg } from "@/lib/orgs/orgs";
import { createIntegration } from "@/lib/integrations/integrations";
import { parseCredential, parseSettings } from "@/lib/integrations/input";
import { makeUser } from "./test-db";

/** An owner, their org, and one single-tenant Global integration with a secret: the usual start of a test. */
export async function orgWithIntegration(
  db: PrismaClient,
  keyring: Keyring,
  slug: string,
  over: { clientId?: string; secret?: string; tenant?: string; tenantMode?: "single" | "organizations"; purposes?: string[]; extraScopes?: string[] } = {},
) {
  const owner = await makeUser(db);
  const org = await createOrg(db, owner, { name: `Org ${slug}`, slug });
  const settings = parseSettings(
    { name: "Helpdesk", cloud: "global", tenantMode: over.tenantMode ?? "single", tenant: over.tenant ?? "contoso.onmicrosoft.com", clientId: over.clientId ?? crypto.randomUUID(), purposes: over.purposes ?? ["graph-read", "imap"], ...(over.extraScopes ? { extraScopes: over.extraScopes } : {}) },
    { allowCustomHosts: false },
  );
  const credential = parseCredential({ credentialType: "SECRET", secret: over.secret ?? "Hd7Q~Contoso.Helpdesk_Secret~00000001x", secretExpiresAt: "" }, settings.clientId);
  const integration = await createIntegration(db, keyring, org.id, owner, settings, credential);
  return { db, owner, org, integration };
}
