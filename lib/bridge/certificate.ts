import { X509Certificate } from "node:crypto";
import { existsSync } from "node:fs";
import { mkdir, readFile, rename, writeFile } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { generate } from "selfsigned";
import type { BridgeConfig } from "./config";

// The bridge's TLS certificate: the configured PEM files, or a self-signed one made once in the
// data folder (demo mode, development).

/** The certificate and key, read from the configured files or the self-signed pair (made once). */
export async function bridgeCertificate(config: Extract<BridgeConfig, { enabled: true }>): Promise<{ cert: Buffer; key: Buffer; certPath: string }> {
  const files = "certPath" in config.tls ? config.tls : await ensureSelfSigned(config.tls.selfSigned);
  const read = async (file: string, variable: string) => {
    try {
      return await readFile(file);
    } catch (e) {
      throw new Error(`${variable} names ${file}, which cannot be read (${(e as NodeJS.ErrnoException).code ?? (e as Error).message}): give the path of a PEM file the portal's user may read.`, { cause: e });
    }
  };
  const cert = await read(files.certPath, "MAILGRANT_BRIDGE_TLS_CERT");
  const key = await read(files.keyPath, "MAILGRANT_BRIDGE_TLS_KEY");
  try {
    new X509Certificate(cert);
  } catch {
    throw new Error(`MAILGRANT_BRIDGE_TLS_CERT: ${files.certPath} is not a PEM certificate ("-----BEGIN CERTIFICATE-----").`);
  }
  return { cert, key, certPath: files.certPath };
}

async function ensureSelfSigned(dir: string): Promise<{ certPath: string; keyPath: string }> {
  const certPath = path.join(dir, "bridge-cert.pem");
  const keyPath = path.join(dir, "bridge-key.pem");
  if (existsSync(certPath) && existsSync(keyPath)) {
    const valid = Date.parse(new X509Certificate(await readFile(certPath)).validTo);
    if (valid > Date.now() + 86_400_000) return { certPath, keyPath };
  }
  await mkdir(dir, { recursive: true, mode: 0o700 });
  const notBeforeDate = new Date(Date.now() - 86_400_000);
  const pems = await generate([{ name: "commonName", value: os.hostname() }, { name: "organizationName", value: "Mailgrant mail bridge (self-signed)" }], {
    // ECDSA P-256: every TLS handshake a client makes signs with this key, and a P-256 signature
    // costs the bridge a fraction of an RSA-2048 one; every mail client of the last decade takes it.
    keyType: "ec",
    curve: "P-256",
    algorithm: "sha256",
    notBeforeDate,
    notAfterDate: new Date(notBeforeDate.getTime() + 5 * 365 * 86_400_000),
    extensions: [
      { name: "basicConstraints", cA: true, critical: true },
      { name: "keyUsage", digitalSignature: true, keyCertSign: true, critical: true },
      { name: "extKeyUsage", serverAuth: true },
      { name: "subjectAltName", altNames: [{ type: 2, value: "localhost" }, { type: 2, value: os.hostname() }, { type: 7, ip: "127.0.0.1" }, { type: 7, ip: "::1" }] },
    ],
  });
  // Key first, each written then renamed: a reader never sees half a file, nor a certificate without its key.
  const write = async (file: string, content: string, mode: number) => {
    const tmp = `${file}.${process.pid}.tmp`;
    await writeFile(tmp, content.endsWith("\n") ? content : `${content}\n`, { mode });
    await rename(tmp, file);
  };
  await write(keyPath, pems.private, 0o600);
  await write(certPath, pems.cert, 0o644);
  return { certPath, keyPath };
}

