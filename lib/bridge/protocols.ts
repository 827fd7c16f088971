// The protocols a bridge credential may be limited to, and their names: pure, so the mailbox
// page's client components read the same list the domain and the bridge check against.

export const BRIDGE_PROTOCOLS = ["smtp", "imap", "pop"] as const;
export type BridgeProtocol = (typeof BRIDGE_PROTOCOLS)[number];

/** In sentences (what an integration does not ask Microsoft for). */
export const PROTOCOL_WORDS: Record<BridgeProtocol, string> = { smtp: "SMTP submission (sending)", imap: "IMAP (reading)", pop: "POP3 (reading)" };
/** As short labels (checkboxes, the settings table). */
export const PROTOCOL_LABELS: Record<BridgeProtocol, string> = { smtp: "SMTP (send)", imap: "IMAP (read)", pop: "POP3 (read)" };
