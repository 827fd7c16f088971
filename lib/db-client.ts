import { PrismaClient } from "@/generated/prisma/client";

export type Db = PrismaClient;
export type Database = { prisma: PrismaClient; close: () => Promise<void>; kind: "postgres" | "pglite" };

/**
 * Opens a Prisma client for a datasource URL: postgresql://… for a server, pglite:<dir> or
 * pglite:memory for the embedded database. Same schema and migrations for both.
 */
export async function createPrismaClient(url: string): Promise<Database> {
  if (/^postgres(ql)?:\/\//.test(url)) {
    const { PrismaPg } = await import("@prisma/adapter-pg");
    const prisma = new PrismaClient({ adapter: new PrismaPg({ connectionString: url }) });
    return { prisma, close: () => prisma.$disconnect(), kind: "postgres" };
  }
  if (url.startsWith("pglite:")) {
    const { mkdirSync } = await import("node:fs");
    const { PGlite } = await import("@electric-sql/pglite");
    const { PrismaPGlite } = await import("pglite-prisma-adapter");
    const dir = url.slice("pglite:".length);
    if (dir !== "memory") mkdirSync(dir, { recursive: true });
    const pglite = dir === "memory" ? new PGlite() : new PGlite(dir);
    const prisma = new PrismaClient({ adapter: new PrismaPGlite(pglite) });
    // The adapter's dispose() leaves PGlite open, which keeps the process alive: close it too.
    return {
      prisma,
      kind: "pglite",
      close: async () => {
        await prisma.$disconnect();
        await pglite.close();
      },
    };
  }
  throw new Error(`DATABASE_URL must start with postgresql:// or pglite: (got "${url.split(":")[0]}:")`);
}
