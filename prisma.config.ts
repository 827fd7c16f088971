import path from "node:path";
import { defineConfig } from "prisma/config";

// Prisma 7 downloads a native schema engine from Prisma's binary host, which is unreachable on
// offline machines. Point the CLI at our bridge to Prisma's official WebAssembly schema engine
// (prisma/engine/schema-engine.mjs) instead; it serves both PGlite and PostgreSQL.
process.env.PRISMA_SCHEMA_ENGINE_BINARY ??= path.join(import.meta.dirname, "prisma", "engine", "schema-engine.mjs");
process.env.CHECKPOINT_DISABLE ??= "1";

export default defineConfig({
  schema: "prisma/schema.prisma",
  migrations: { path: "prisma/migrations" },
  datasource: {
    // Unset: the embedded PGlite database in .data/pglite. postgresql://…: a PostgreSQL server.
    url: process.env.DATABASE_URL || "pglite:./.data/pglite",
    // pglite:memory gives migrate dev/diff a throwaway shadow database without CREATEDB rights.
    shadowDatabaseUrl: process.env.SHADOW_DATABASE_URL || "pglite:memory",
  },
});
