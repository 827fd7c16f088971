import fs from "node:fs";
import path from "node:path";
import { lockDown, makePrivateDir } from "./private-files";
import { PrismaClient, type Prisma } from "@/generated/prisma/client";

export type Db = PrismaClient;
/** A client inside an interactive transaction (a Db fits where a Tx is asked for). */
export type Tx = Prisma.TransactionClient;
/** `pglite` is the embedded database's one instance (pg-boss runs its SQL on it too); `url` what it was opened with. */
export type Database = { prisma: PrismaClient; close: () => Promise<void>; kind: "postgres" | "pglite"; url: string; pglite?: import("@electric-sql/pglite").PGlite };

/**
 * Opens a Prisma client for a datasource URL: postgresql://… for a server, pglite:<dir> or
 * pglite:memory for the embedded database. Same schema and migrations for both.
 */
export async function createPrismaClient(url: string): Promise<Database> {
  if (/^postgres(ql)?:\/\//.test(url)) {
    const { PrismaPg } = await import("@prisma/adapter-pg");
    const prisma = new PrismaClient({ adapter: new PrismaPg({ connectionString: url }) });
    return { prisma, close: () => prisma.$disconnect(), kind: "postgres", url };
  }
  if (url.startsWith("pglite:")) {
    const { PGlite } = await import("@electric-sql/pglite");
    const { PrismaPGlite } = await import("pglite-prisma-adapter");
    const dir = url.slice("pglite:".length);
    if (dir !== "memory") {
      makePrivateDir(path.dirname(path.resolve(dir)));
      makePrivateDir(dir);
      lockDataDir(dir);
    }
    const pglite = dir === "memory" ? new PGlite() : new PGlite(dir);
    if (dir !== "memory") {
      await pglite.waitReady;
      lockDown(dir);
    }
    const prisma = new PrismaClient({ adapter: new PrismaPGlite(pglite) });
    // The adapter's dispose() leaves PGlite open, which keeps the process alive: close it too.
    return {
      prisma,
      kind: "pglite",
      url,
      pglite,
      close: async () => {
        await prisma.$disconnect();
        await pglite.close();
        if (dir !== "memory") lockDown(dir);
      },
    };
  }
  throw new Error(`DATABASE_URL must start with postgresql:// or pglite: (got "${url.split(":")[0]}:")`);
}

/**
 * PGlite allows one process per data folder; a second one silently corrupts it. Take a pid lock
 * and refuse, with what to do, while another live process holds it.
 */
function lockDataDir(dir: string) {
  const lock = `${dir.replace(/\/+$/, "")}.lock`;
  try {
    const holder = Number(fs.readFileSync(lock, "utf8"));
    if (holder && holder !== process.pid && isAlive(holder)) {
      throw new Error(`The embedded database in ${dir} is in use by process ${holder} (a running portal). Stop it first, or point DATABASE_URL at a PostgreSQL server.`);
    }
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== "ENOENT") throw e;
  }
  fs.writeFileSync(lock, String(process.pid), { mode: 0o600 });
  process.once("exit", () => {
    try {
      if (fs.readFileSync(lock, "utf8") === String(process.pid)) fs.unlinkSync(lock);
    } catch {}
  });
}

function isAlive(pid: number) {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === "EPERM";
  }
}
