/** Where clients connect: host, and per protocol the ports with their security; null when no bridge runs. */
export type BridgeClientSettings = { host: string; smtp: { port: number; security: string }[]; imap: { port: number; security: string }[]; pop: { port: number; security: string }[] } | null;

// What a printer or an old app is told to connect to: the bridge's public host and its ports.
// MAILGRANT_BRIDGE_HOST names the host clients reach (a TCP load balancer in front of several
// bridge processes); by default the portal's own host name.
export function bridgeClientSettings(source: { publicUrl: string; host?: string; enabled: boolean; ports: { smtp?: number; smtps?: number; imap?: number; imaps?: number; pop3s?: number } }): BridgeClientSettings {
  if (!source.enabled) return null;
  const p = source.ports;
  const list = (...entries: [number | undefined, string][]) => entries.filter((e): e is [number, string] => typeof e[0] === "number").map(([port, security]) => ({ port, security }));
  return {
    host: source.host || new URL(source.publicUrl).hostname,
    smtp: list([p.smtp, "STARTTLS"], [p.smtps, "SSL/TLS"]),
    imap: list([p.imaps, "SSL/TLS"], [p.imap, "STARTTLS"]),
    pop: list([p.pop3s, "SSL/TLS"]),
  };
}
