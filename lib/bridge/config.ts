import { X509Certificate } from "node:crypto";
import { existsSync } from "node:fs";
import { mkdir, readFile, rename, writeFile } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { generate } from "selfsigned";
import type { Env } from "@/lib/env";
import type { BridgeListener, BridgePorts } from "./bridge";

// The bridge's configuration from the environment: whether it runs, its ports, its certificate.
// In production its ports are the protocols' own; elsewhere (demo mode, development) unprivileged
// ones derived from PORT, and a self-signed certificate kept in the data folder when none is set.

export type BridgeConfig = { enabled: true; ports: BridgePorts; host?: string; proxyFrom?: string[]; tls: { certPath: string; keyPath: string } | { selfSigned: string } } | { enabled: false; why: string };

const PRODUCTION_PORTS: Record<BridgeListener, number> = { smtp: 587, smtps: 465, imap: 143, imaps: 993, pop3s: 995 };
const DEMO_OFFSETS: Record<BridgeListener, number> = { smtp: 25, smtps: 65, imap: 43, imaps: 93, pop3s: 95 };
const VARIABLE: Record<BridgeListener, keyof Env> = {
  smtp: "MAILGRANT_BRIDGE_SMTP_PORT",
  smtps: "MAILGRANT_BRIDGE_SMTPS_PORT",
  imap: "MAILGRANT_BRIDGE_IMAP_PORT",
  imaps: "MAILGRANT_BRIDGE_IMAPS_PORT",
  pop3s: "MAILGRANT_BRIDGE_POP3S_PORT",
};

export function bridgeConfig(e: Env, dataDir: string): BridgeConfig {
  const production = e.NODE_ENV === "production" && e.MAILGRANT_DEMO !== "1";
  if (e.MAILGRANT_BRIDGE === "off") return { enabled: false, why: "MAILGRANT_BRIDGE=off" };
  if (production && !e.MAILGRANT_BRIDGE_TLS_CERT) return { enabled: false, why: "no TLS certificate: set MAILGRANT_BRIDGE_TLS_CERT and MAILGRANT_BRIDGE_TLS_KEY to run it" };
  const ports: BridgePorts = {};
  for (const name of Object.keys(VARIABLE) as BridgeListener[]) {
    const set = e[VARIABLE[name]] as string | undefined;
    if (set === "off") continue;
    ports[name] = set ? Number(set) : production ? PRODUCTION_PORTS[name] : e.PORT + DEMO_OFFSETS[name];
  }
  const tls = e.MAILGRANT_BRIDGE_TLS_CERT && e.MAILGRANT_BRIDGE_TLS_KEY ? { certPath: e.MAILGRANT_BRIDGE_TLS_CERT, keyPath: e.MAILGRANT_BRIDGE_TLS_KEY } : { selfSigned: path.join(dataDir, "bridge-tls") };
  const proxyFrom = (e.MAILGRANT_BRIDGE_PROXY_FROM ?? "").split(",").map((r) => r.trim()).filter(Boolean);
  return { enabled: true, ports, ...(e.MAILGRANT_BRIDGE_HOST ? { host: e.MAILGRANT_BRIDGE_HOST } : {}), ...(proxyFrom.length ? { proxyFrom } : {}), tls };
}

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
    keySize: 2048,
    algorithm: "sha256",
    notBeforeDate,
    notAfterDate: new Date(notBeforeDate.getTime() + 5 * 365 * 86_400_000),
    extensions: [
      { name: "basicConstraints", cA: true, critical: true },
      { name: "keyUsage", digitalSignature: true, keyEncipherment: true, keyCertSign: true, critical: true },
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

const WORDS: Record<BridgeListener, string> = { smtp: "SMTP {p} (STARTTLS)", smtps: "SMTP {p} (TLS)", imaps: "IMAP {p} (TLS)", imap: "IMAP {p} (STARTTLS)", pop3s: "POP3 {p} (TLS)" };

/** "Mail bridge: SMTP 3025 (STARTTLS), SMTP 3065 (TLS), …" for the start banner. */
export function describeBridge(ports: BridgePorts, host: string | undefined, certPath: string, selfSigned: boolean): string {
  const list = (Object.keys(WORDS) as BridgeListener[]).filter((n) => ports[n] !== undefined).map((n) => WORDS[n].replace("{p}", String(ports[n])));
  const where = host ?? "localhost";
  return `Mail bridge on ${where}: ${list.join(", ")}${selfSigned ? `; self-signed certificate ${certPath} (clients must trust it, or set MAILGRANT_BRIDGE_TLS_CERT/KEY)` : ""}`;
}
