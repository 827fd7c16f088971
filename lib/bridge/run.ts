import type { Db } from "@/lib/db-client";
import { dataDirectory, type Env } from "@/lib/env";
import { publicUrlFromEnv, workerDeps } from "@/lib/worker/deps";
import { BridgeListenError, startBridge, type RunningBridge } from "./bridge";
import { bridgeConfig, describeBridge, describeListenFailure } from "./config";
import { bridgeCertificate } from "./certificate";

// Starts the bridge as configured, for the two places it runs: inside `npm start` (server.ts) and
// as its own process (scripts/bridge.ts). Listeners that could not bind are named in the banner
// with what to set; only when none could does it throw.

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
  }).catch((err: unknown) => {
    if (!(err instanceof BridgeListenError)) throw err;
    throw new Error(`The mail bridge could not listen on any of its ports: ${err.failed.map((f) => describeListenFailure(f, config.host)).join("; ")}.`, { cause: err });
  });
  return { bridge, banner: describeBridge(bridge.ports, config.host, certPath, "selfSigned" in config.tls, bridge.failed) };
}
