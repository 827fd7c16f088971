import type { Db } from "@/lib/db-client";
import { record } from "@/lib/audit/record";

/** Grants or revokes the platform support role for every portal user with this email. */
export async function setSupportRole(db: Db, email: string, grant: boolean) {
  const users = await db.user.findMany({ where: { email: email.trim().toLowerCase() } });
  for (const u of users) {
    await db.user.update({ where: { id: u.id }, data: { platformRole: grant ? "SUPPORT" : null } });
    await record(db, { action: grant ? "support.granted" : "support.revoked", targetType: "user", targetId: u.id, data: { email: u.email } });
  }
  return users.length;
}
