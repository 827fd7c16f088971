import { mkdirSync, rmSync, writeFileSync } from "node:fs";
import path from "node:path";
import { ensureEmulatorCertificate } from "../emulator/tls";
import { migrationScripts } from "./test-db";

// Runs once before vitest starts its workers: every test emulator serves this one certificate,
// and the workers trust it (NODE_EXTRA_CA_CERTS is read when a process starts, so it has to be
// in the environment the workers are forked with). Tests can then use the emulator over HTTPS,
// as the portal does: Microsoft's Graph client never sends a token over plain HTTP.
export default async function setup() {
  const dir = path.resolve(import.meta.dirname, "..", ".data", "test-tls");
  const { certPath } = await ensureEmulatorCertificate(dir);
  process.env.NODE_EXTRA_CA_CERTS = certPath;
  process.env.MAILGRANT_TEST_TLS_DIR = dir;
  if (process.env.TEST_DATABASE_URL) return;
  const template = await migratedPgliteTemplate(path.resolve(import.meta.dirname, "..", ".data", "test-pglite"));
  process.env.MAILGRANT_TEST_PGLITE_TEMPLATE = template;
  return () => rmSync(template, { force: true });
}

// Creating an embedded database (initdb inside WASM) costs seconds, and tens of seconds on a
// busy machine, where it outran the hook timeout. It is done once here, migrated, and every test
// file's openTestDb() starts from a copy of its data folder.
async function migratedPgliteTemplate(dir: string): Promise<string> {
  const { PGlite } = await import("@electric-sql/pglite");
  const pglite = new PGlite();
  for (const sql of migrationScripts()) await pglite.exec(sql);
  const dump = await pglite.dumpDataDir("none");
  await pglite.close();
  mkdirSync(dir, { recursive: true });
  const file = path.join(dir, `template-${process.pid}.tar`);
  writeFileSync(file, Buffer.from(await dump.arrayBuffer()));
  return file;
}
