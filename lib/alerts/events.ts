// The events an org can be told about, and the one envelope every channel receives. Webhook
// bodies are this JSON, signed (Standard Webhooks); emails are rendered from it (email.ts).
// Payloads carry ids, names, states and explanations: never a secret, a token or a consent link.

export const EVENT_TYPES = [
  "connection.failing",
  "connection.recovered",
  "connection.at_risk",
  "tenant.failing",
  "tenant.recovered",
  "integration.credentials_failing",
  "integration.credentials_recovered",
  "integration.secret_expiring",
] as const;

export type EventType = (typeof EVENT_TYPES)[number];
/** What "Send a test event" sends; no channel subscribes to it, every channel can receive it. */
export const TEST_EVENT = "test" as const;
export type AnyEventType = EventType | typeof TEST_EVENT;

export const EVENT_LABELS: Record<AnyEventType, { label: string; description: string }> = {
  "connection.failing": { label: "Mailbox failing", description: "A mailbox stopped working: the class, diagnosis, explanation and fix." },
  "connection.recovered": { label: "Mailbox recovered", description: "A failing mailbox works again." },
  "connection.at_risk": { label: "Mailbox at risk", description: "An unused grant dies in 14, 7 or 1 days unless it is used." },
  "tenant.failing": { label: "Tenant failing", description: "Five or more mailboxes of one Microsoft tenant failed within ten minutes: one digest instead of one event each." },
  "tenant.recovered": { label: "Tenant recovered", description: "Every mailbox of a failing tenant works again." },
  "integration.credentials_failing": { label: "Credentials failing", description: "The daily credentials check of an integration failed (secret expired or deleted, certificate removed)." },
  "integration.credentials_recovered": { label: "Credentials working again", description: "An integration's credentials check passes again." },
  "integration.secret_expiring": { label: "Secret or certificate expiring", description: "An integration's client secret or certificate expires in 30, 14, 7 or 1 days." },
  test: { label: "Test event", description: "Sent by \"Send a test event\"." },
};

/** Inactivity reminders (days before a grant dies unused) and credential expiry reminders. */
export const INACTIVITY_REMINDER_DAYS = [14, 7, 1] as const;
export const CREDENTIAL_REMINDER_DAYS = [30, 14, 7, 1] as const;
/** A tenant digest: this many connections of one tenant starting to fail within the window. */
export const DIGEST_THRESHOLD = 5;
export const DIGEST_WINDOW_MS = 10 * 60_000;

export type OrgRef = { id: string; slug: string; name: string };
export type IntegrationRef = { id: string; name: string; cloud: string };
export type ConnectionRef = {
  id: string;
  mailbox: string;
  kind: "user" | "shared";
  displayName: string | null;
  tenantId: string;
  /** The mailbox page in the portal. */
  url: string;
};
/** A failure in words: the portal's one-line reason, and the diagnosis catalog's explanation and fix. */
export type FailureInWords = { class: string | null; code: string; title: string; reason: string; explanation: string; fix: string };

export type EventData = {
  "connection.failing": { org: OrgRef; connection: ConnectionRef; integration: IntegrationRef; health: string; failure: FailureInWords; firstFailedAt: string };
  "connection.recovered": { org: OrgRef; connection: ConnectionRef; integration: IntegrationRef; health: string; failingSince: string | null };
  "connection.at_risk": { org: OrgRef; connection: ConnectionRef; integration: IntegrationRef; reason: "inactivity"; deadline: string; daysLeft: number; explanation: string; fix: string };
  "tenant.failing": { org: OrgRef; tenantId: string; failing: number; connections: (ConnectionRef & { code: string; class: string | null })[]; firstFailedAt: string; url: string };
  "tenant.recovered": { org: OrgRef; tenantId: string; recovered: number; failingSince: string; url: string };
  "integration.credentials_failing": { org: OrgRef; integration: IntegrationRef & { url: string }; failure: FailureInWords; mailboxes: number };
  "integration.credentials_recovered": { org: OrgRef; integration: IntegrationRef & { url: string }; mailboxes: number };
  "integration.secret_expiring": { org: OrgRef; integration: IntegrationRef & { url: string }; credential: "secret" | "certificate"; expiresAt: string; daysLeft: number; mailboxes: number; fix: string };
  test: { org: OrgRef; message: string };
};

/** The JSON body of every delivery: { type, timestamp, data } as Standard Webhooks recommends. */
export type EventEnvelope<T extends AnyEventType = AnyEventType> = { id: string; type: T; timestamp: string; data: EventData[T] };

export const isEventType = (s: string): s is EventType => (EVENT_TYPES as readonly string[]).includes(s);
