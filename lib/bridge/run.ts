import type { Db } from "@/lib/db-client";
import { dataDirectory, type Env } from "@/lib/env";
import { publicUrlFromEnv, workerDeps } from "@/lib/worker/deps";
import { startBridge, type RunningBridge } from "./bridge";
import { bridgeConfig, describeBridge } from "./config";
import { bridgeCertificate } from "./certificate";

// Starts the bridge as configured, for the two places it runs: inside `npm start` (server.ts) and
// as its own process (scripts/bridge.ts).

const VARIABLES = { smtp: "MAILGRANT_BRIDGE_SMTP_PORT", smtps: "MAILGRANT_BRIDGE_SMTPS_PORT", imap: "MAILGRANT_BRIDGE_IMAP_PORT", imaps: "MAILGRANT_BRIDGE_IMAPS_PORT", pop3s: "MAILGRANT_BRIDGE_POP3S_PORT" } as const;

export async function startBridgeFromEnv(db: Db, e: Env): Promise<{ bridge: RunningBridge; banner: string } | { off: string }> {
  const config = bridgeConfig(e, dataDirectory());
  if (!config.enabled) return { off: `Mail bridge off (${config.why}).` };
  const { cert, key, certPath } = await bridgeCertificate(config);
  const deps = workerDeps(e);
  const bridge = await startBridge({
    db,
    keyring: deps.keyring,
    ...(deps.hostMap ? { hostMap: deps.hostMap } : {}),
    ...(deps.mailHost ? { mailHost: deps.mailHost } : {}),
    portalUrl: publicUrlFromEnv(e),
    ports: config.ports,
    tls: { cert, key },
    ...(config.host ? { host: config.host } : {}),
    ...(config.proxyFrom ? { proxyFrom: config.proxyFrom } : {}),
  }).catch((err: Error & { listener?: keyof typeof VARIABLES }) => {
    if (!err.listener) throw err;
    throw new Error(`${err.message} Set ${VARIABLES[err.listener]} to a free port, or to "off" for no ${err.listener} listener.`, { cause: err });
  });
  return { bridge, banner: describeBridge(bridge.ports, config.host, certPath, "selfSigned" in config.tls) };
}
