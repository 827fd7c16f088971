import "server-only";
import { createPrismaClient, type Database } from "./db-client";
import { databaseUrl } from "./env";

// One database client per process. Cached on globalThis so that Next's hot reload, and the
// custom server and the Next bundle sharing one process, reuse it (PGlite allows one opener).
const g = globalThis as unknown as { __mailgrantDb?: Promise<Database> };

export function database(): Promise<Database> {
  g.__mailgrantDb ??= createPrismaClient(databaseUrl());
  return g.__mailgrantDb;
}

export async function db() {
  return (await database()).prisma;
}
