import { X509Certificate } from "node:crypto";
import { mkdir, readFile, rename, writeFile } from "node:fs/promises";
import path from "node:path";
import { generate } from "selfsigned";

export interface EmulatorCertificate {
  certPath: string;
  keyPath: string;
}

const TEN_YEARS_MS = 10 * 365 * 86_400_000;

async function usable(certPath: string, keyPath: string): Promise<boolean> {
  try {
    const [cert] = await Promise.all([readFile(certPath, "utf8"), readFile(keyPath, "utf8")]);
    return Date.parse(new X509Certificate(cert).validTo) > Date.now() + 86_400_000;
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
  // Write-then-rename so a concurrent reader never sees a half-written key or cert.
  const suffix = `.${process.pid}.${Date.now()}.tmp`;
  await writeFile(keyPath + suffix, pems.private, { mode: 0o600 });
  await writeFile(certPath + suffix, pems.cert);
  await rename(keyPath + suffix, keyPath);
  await rename(certPath + suffix, certPath);
  return { certPath, keyPath };
}
