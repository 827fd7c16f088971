import { readdirSync, readFileSync } from "node:fs";
import path from "node:path";
import { randomBytes } from "node:crypto";
import { PrismaClient } from "@/generated/prisma/client";
import type { Database } from "@/lib/db-client";

// Integration tests run on a fresh database each: in-memory PGlite by default, or a new database
// on the PostgreSQL server named by TEST_DATABASE_URL (CI runs both). Migrations are the
// committed SQL files, applied in order, so tests prove the migrations as well as the code.

const migrationsDir = path.join(import.meta.dirname, "..", "prisma", "migrations");

export function migrationScripts(): string[] {
  return readdirSync(migrationsDir, { withFileTypes: true })
    .filter((d) => d.isDirectory())
    .map((d) => d.name)
    .sort()
    .map((name) => readFileSync(path.join(migrationsDir, name, "migration.sql"), "utf8"));
}

export async function openTestDb(): Promise<Database> {
  const serverUrl = process.env.TEST_DATABASE_URL;
  return serverUrl ? openPostgres(serverUrl) : openPglite();
}

async function openPglite(): Promise<Database> {
  const { PGlite } = await import("@electric-sql/pglite");
  const { PrismaPGlite } = await import("pglite-prisma-adapter");
  // A copy of the migrated database that vitest's global setup made (see global-setup.ts).
  const template = process.env.MAILGRANT_TEST_PGLITE_TEMPLATE;
  const pglite = template ? new PGlite({ loadDataDir: new Blob([readFileSync(template)]) }) : new PGlite();
  if (!template) for (const sql of migrationScripts()) await pglite.exec(sql);
  const prisma = new PrismaClient({ adapter: new PrismaPGlite(pglite) });
  return { prisma, kind: "pglite", url: "pglite:memory", pglite, close: async () => { await prisma.$disconnect(); await pglite.close(); } };
}

/** A new, empty database on the PostgreSQL server at serverUrl; drop() removes it. */
export async function createTempPostgresDatabase(serverUrl: string, prefix = "mailgrant_test") {
  const { default: pg } = await import("pg");
  const name = `${prefix}_${randomBytes(6).toString("hex")}`;
  const admin = async (sql: string) => {
    const c = new pg.Client({ connectionString: serverUrl });
    await c.connect();
    try { await c.query(sql); } finally { await c.end(); }
  };
  await admin(`CREATE DATABASE "${name}"`);
  const url = new URL(serverUrl);
  url.pathname = `/${name}`;
  return { url: url.toString(), drop: () => admin(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`) };
}

async function openPostgres(serverUrl: string): Promise<Database> {
  const { default: pg } = await import("pg");
  const { PrismaPg } = await import("@prisma/adapter-pg");
  const temp = await createTempPostgresDatabase(serverUrl);
  const setup = new pg.Client({ connectionString: temp.url });
  await setup.connect();
  for (const sql of migrationScripts()) await setup.query(sql);
  await setup.end();
  const prisma = new PrismaClient({ adapter: new PrismaPg({ connectionString: temp.url }) });
  return {
    prisma,
    kind: "postgres",
    url: temp.url,
    close: async () => {
      await prisma.$disconnect();
      await temp.drop();
    },
  };
}

let counter = 0;
/** A user with unique ids, as if they had signed in with Microsoft. */
export async function makeUser(prisma: PrismaClient, overrides: { email?: string; tenantId?: string } = {}) {
  counter += 1;
  const { randomUUID } = await import("node:crypto");
  const email = overrides.email ?? `user${counter}-${randomBytes(3).toString("hex")}@contoso.test`;
  return prisma.user.create({
    data: { tenantId: overrides.tenantId ?? randomUUID(), objectId: randomUUID(), email, name: email.split("@")[0] ?? email },
  });
}
