import { X509Certificate } from "node:crypto";
import { mkdir, readFile, rename, writeFile } from "node:fs/promises";
import path from "node:path";
import { generate } from "selfsigned";

export interface EmulatorCertificate {
  certPath: string;
  keyPath: string;
}

const TEN_YEARS_MS = 10 * 365 * 86_400_000;

/** PEM files end in a newline, so `cat a.pem b.pem > bundle.pem` keeps one certificate per block. */
const withFinalNewline = (pem: string): string => (pem.endsWith("\n") ? pem : `${pem}\n`);

/** Write-then-rename so a concurrent reader never sees a half-written key or cert. */
async function writeAtomically(file: string, content: string, mode?: number): Promise<void> {
  const tmp = `${file}.${process.pid}.${Date.now()}.${Math.random().toString(36).slice(2)}.tmp`;
  await writeFile(tmp, content, mode === undefined ? {} : { mode });
  await rename(tmp, file);
}

async function usable(certPath: string, keyPath: string): Promise<boolean> {
  try {
    const [cert] = await Promise.all([readFile(certPath, "utf8"), readFile(keyPath, "utf8")]);
    if (Date.parse(new X509Certificate(cert).validTo) <= Date.now() + 86_400_000) return false;
    // Certificates written before the final newline was added are repaired in place (same certificate, still trusted).
    if (!cert.endsWith("\n")) await writeAtomically(certPath, withFinalNewline(cert));
    return true;
  } catch {
    return false;
  }
}

/**
 * Generates the emulator's HTTPS certificate once and reuses it, so a portal
 * started with NODE_EXTRA_CA_CERTS pointing at it keeps trusting it across
 * restarts. It is its own trust anchor (cA + keyCertSign), which Node requires
 * of a certificate listed in NODE_EXTRA_CA_CERTS.
 */
export async function ensureEmulatorCertificate(dir: string): Promise<EmulatorCertificate> {
  const certPath = path.resolve(dir, "emulator-cert.pem");
  const keyPath = path.resolve(dir, "emulator-key.pem");
  if (await usable(certPath, keyPath)) return { certPath, keyPath };

  await mkdir(path.dirname(certPath), { recursive: true });
  const notBeforeDate = new Date(Date.now() - 86_400_000);
  const pems = await generate([{ name: "commonName", value: "localhost" }, { name: "organizationName", value: "Mailgrant emulator" }], {
    keySize: 2048,
    algorithm: "sha256",
    notBeforeDate,
    notAfterDate: new Date(notBeforeDate.getTime() + TEN_YEARS_MS),
    extensions: [
      { name: "basicConstraints", cA: true, critical: true },
      { name: "keyUsage", digitalSignature: true, keyEncipherment: true, keyCertSign: true, critical: true },
      { name: "extKeyUsage", serverAuth: true },
      {
        name: "subjectAltName",
        altNames: [
          { type: 2, value: "localhost" },
          { type: 7, ip: "127.0.0.1" },
          { type: 7, ip: "::1" },
        ],
      },
    ],
  });
  // The key first: a reader that sees the new certificate also finds its key.
  await writeAtomically(keyPath, withFinalNewline(pems.private), 0o600);
  await writeAtomically(certPath, withFinalNewline(pems.cert));
  return { certPath, keyPath };
}
