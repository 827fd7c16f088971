import path from "node:path";
import { ensureEmulatorCertificate } from "../emulator/tls";

// Runs once before vitest starts its workers: every test emulator serves this one certificate,
// and the workers trust it (NODE_EXTRA_CA_CERTS is read when a process starts, so it has to be
// in the environment the workers are forked with). Tests can then use the emulator over HTTPS,
// as the portal does: Microsoft's Graph client never sends a token over plain HTTP.
export default async function setup() {
  const dir = path.resolve(import.meta.dirname, "..", ".data", "test-tls");
  const { certPath } = await ensureEmulatorCertificate(dir);
  process.env.NODE_EXTRA_CA_CERTS = certPath;
  process.env.MAILGRANT_TEST_TLS_DIR = dir;
}
