import type { Db } from "@/lib/db-client";
import { record, type RequestMeta } from "@/lib/audit/record";
import { z } from "zod";

const claimsSchema = z.object({
  tid: z.uuid({ message: "The ID token has no tenant id (tid)." }),
  oid: z.uuid({ message: "The ID token has no object id (oid)." }),
  name: z.string().optional(),
  preferred_username: z.string().optional(),
  email: z.string().optional(),
});

/**
 * Records a Microsoft sign-in: creates or updates the user by (tenant id, object id), grants
 * the support role to allow-listed emails (stored, so removing an email later changes nothing
 * until an operator revokes it), and writes the sign-in to the audit log.
 */
export async function recordSignIn(db: Db, claims: unknown, opts: { supportEmails: string[]; meta?: RequestMeta }) {
  const c = claimsSchema.parse(claims);
  const email = (c.preferred_username ?? c.email ?? "").toLowerCase();
  const name = c.name?.trim() || email;
  const grantSupport = email !== "" && opts.supportEmails.includes(email);
  const user = await db.user.upsert({
    where: { tenantId_objectId: { tenantId: c.tid, objectId: c.oid } },
    create: { tenantId: c.tid, objectId: c.oid, email, name, ...(grantSupport ? { platformRole: "SUPPORT" } : {}) },
    update: { email, name, lastSignInAt: new Date(), ...(grantSupport ? { platformRole: "SUPPORT" } : {}) },
  });
  await record(db, { action: "user.signed_in", actor: user, targetType: "user", targetId: user.id, data: { tenantId: c.tid }, meta: opts.meta });
  return user;
}
