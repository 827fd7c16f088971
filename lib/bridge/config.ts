import path from "node:path";
import type { Env } from "@/lib/env";
import type { BridgeListener, BridgeListenFailure, BridgePorts } from "./bridge";

// The bridge's configuration from the environment: whether it runs, its ports, its certificate's
// files. In production its ports are the protocols' own; elsewhere (demo mode, development)
// unprivileged ones derived from PORT, and a self-signed certificate (certificate.ts) kept in the
// data folder when none is set. Plain data, so the portal's pages show the same ports the bridge binds.

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
  if (!Object.keys(ports).length) return { enabled: false, why: `every listener's port is "off": set one of ${Object.values(VARIABLE).join(", ")} to a port to run it` };
  const tls = e.MAILGRANT_BRIDGE_TLS_CERT && e.MAILGRANT_BRIDGE_TLS_KEY ? { certPath: e.MAILGRANT_BRIDGE_TLS_CERT, keyPath: e.MAILGRANT_BRIDGE_TLS_KEY } : { selfSigned: path.join(dataDir, "bridge-tls") };
  const proxyFrom = (e.MAILGRANT_BRIDGE_PROXY_FROM ?? "").split(",").map((r) => r.trim()).filter(Boolean);
  return { enabled: true, ports, ...(e.MAILGRANT_BRIDGE_HOST ? { host: e.MAILGRANT_BRIDGE_HOST } : {}), ...(proxyFrom.length ? { proxyFrom } : {}), tls };
}

const WORDS: Record<BridgeListener, string> = { smtp: "SMTP {p} (STARTTLS)", smtps: "SMTP {p} (TLS)", imaps: "IMAP {p} (TLS)", imap: "IMAP {p} (STARTTLS)", pop3s: "POP3 {p} (TLS)" };

/** What a listener that could not bind means, and what to set: "SMTPS on 3306 is taken by another program: set …". */
export function describeListenFailure(f: BridgeListenFailure, host: string | undefined): string {
  const name = f.listener.toUpperCase();
  const variable = VARIABLE[f.listener];
  switch (f.code) {
    case "EADDRINUSE":
      return `${name} on ${f.port} is taken by another program: set ${variable} to a free port, or to "off" for no ${name} listener`;
    case "EACCES":
      return `${name} on ${f.port} is a port this process may not bind: give it the right to (CAP_NET_BIND_SERVICE for ports below 1024), or set ${variable} to a port above 1023`;
    case "EADDRNOTAVAIL":
      return `${name} on ${f.port}: ${host ?? "the address"} is not an address of this machine; set MAILGRANT_BRIDGE_HOST to one of its addresses, or leave it unset for all of them`;
    default:
      return `${name} on ${f.port} could not listen (${f.code}): set ${variable} to another port, or to "off" for no ${name} listener`;
  }
}

/**
 * "Mail bridge on localhost: SMTP 3025 (STARTTLS), SMTP 3065 (TLS), …" for the start banner, and a
 * line for each listener that could not bind.
 */
export function describeBridge(ports: BridgePorts, host: string | undefined, certPath: string, selfSigned: boolean, failed: readonly BridgeListenFailure[] = []): string {
  const list = (Object.keys(WORDS) as BridgeListener[]).filter((n) => ports[n] !== undefined).map((n) => WORDS[n].replace("{p}", String(ports[n])));
  const where = host ?? "localhost";
  const banner = `Mail bridge on ${where}: ${list.join(", ")}${selfSigned ? `; self-signed certificate ${certPath} (clients must trust it, or set MAILGRANT_BRIDGE_TLS_CERT/KEY)` : ""}`;
  return [banner, ...failed.map((f) => `Mail bridge not listening: ${describeListenFailure(f, host)}; the other listeners serve.`)].join("\n");
}
