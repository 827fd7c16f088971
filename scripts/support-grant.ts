// npm run support:grant -- <email> [--revoke]
// Grants (or revokes) the read-only support role to portal users with this email. Stop the
// portal first when it runs on the embedded database (one process per data folder).
import { createPrismaClient } from "../lib/db-client";
import { setSupportRole } from "../lib/users/support-role";
import { databaseUrl } from "../lib/env";

const args = process.argv.slice(2);
const email = args.find((a) => !a.startsWith("--"));
if (!email) {
  console.error("Usage: npm run support:grant -- <email> [--revoke]");
  process.exit(2);
}
const grant = !args.includes("--revoke");
try {
  const database = await createPrismaClient(databaseUrl());
  const n = await setSupportRole(database.prisma, email, grant);
  await database.close();
  if (n === 0) {
    console.error(`No portal user with the email ${email} has signed in yet. Ask them to sign in once, or add the email to SUPPORT_EMAILS.`);
    process.exit(1);
  }
  console.log(`${grant ? "Granted" : "Revoked"} the support role for ${email} (${n} account${n === 1 ? "" : "s"}).`);
} catch (e) {
  console.error((e as Error).message);
  process.exit(1);
}
