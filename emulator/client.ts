// A client for the emulator's admin API (/_emulator/*), shared by the vitest helpers and the
// Playwright fixtures. It knows paths and methods and nothing else: bodies pass through as given
// and answers come back as parsed JSON, because the admin router validates them and owns their
// shapes (faults especially); a copy of those schemas here would only drift from the router.
// Plain fetch, no test-runner imports, so any Node process can use it.

type Json = Record<string, unknown>;
type Filter = Record<string, string | boolean | undefined>;

/** What an admin call answered: status and parsed JSON body (the text if it was not JSON). */
export type AdminAnswer<T = Json> = { status: number; body: T };

export class EmulatorAdminError extends Error {
  constructor(
    readonly method: string,
    readonly path: string,
    readonly status: number,
    readonly body: unknown,
  ) {
    super(`emulator admin ${method} ${path}: ${status} ${typeof body === "string" ? body : JSON.stringify(body)}`);
  }
}

/** `base`: the emulator's HTTP origin (http://localhost:3301), with or without `/_emulator`. */
export function emulatorAdmin(base: string) {
  const root = `${base.replace(/\/+$/, "").replace(/\/_emulator$/, "")}/_emulator`;
  const seg = encodeURIComponent;
  const query = (filter: Filter = {}) => {
    const q = new URLSearchParams(Object.entries(filter).flatMap(([k, v]) => (v === undefined ? [] : [[k, String(v)]])));
    return q.size ? `?${q}` : "";
  };

  /** Any admin call, answered as it came: for tests of the admin API's own answers and errors. */
  async function call<T = Json>(method: string, path: string, body?: unknown): Promise<AdminAnswer<T>> {
    const res = await fetch(`${root}${path}`, {
      method,
      headers: { "content-type": "application/json" },
      ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
    });
    const text = await res.text();
    let parsed: unknown = text;
    try {
      parsed = JSON.parse(text);
    } catch {
      // not JSON: keep the text, so an error says what the server said
    }
    return { status: res.status, body: parsed as T };
  }

  /** An admin call that must succeed (2xx); its body. */
  async function ok<T = Json>(method: string, path: string, body?: unknown): Promise<T> {
    const answer = await call<T>(method, path, body);
    if (answer.status < 200 || answer.status > 299) throw new EmulatorAdminError(method, path, answer.status, answer.body);
    return answer.body;
  }

  return {
    call,
    ok,
    state: () => ok("GET", "/state"),
    /** Back to the configured seed, or to `seed` if given. */
    reset: (seed?: unknown) => ok("POST", "/reset", seed),
    addTenant: (tenant: Json) => ok<Json & { id: string }>("POST", "/tenants", tenant),
    updateTenant: (tenant: string, patch: Json) => ok("PATCH", `/tenants/${seg(tenant)}`, patch),
    addUser: (tenant: string, user: Json) => ok<Json & { id: string; upn: string }>("POST", `/tenants/${seg(tenant)}/users`, user),
    /** `user`: object id or UPN. */
    updateUser: (user: string, patch: Json) => ok("PATCH", `/users/${seg(user)}`, patch),
    addApp: (tenant: string, app: Json) => ok<Json & { clientId: string; secrets: { secretId: string; value: string }[] }>("POST", `/tenants/${seg(tenant)}/apps`, app),
    updateApp: (clientId: string, patch: Json) => ok("PATCH", `/apps/${seg(clientId)}`, patch),
    addRedirectUri: (clientId: string, uri: string) => ok("POST", `/apps/${seg(clientId)}/redirect-uris`, { uri }),
    addSecret: (clientId: string, secret: Json = {}) => ok("POST", `/apps/${seg(clientId)}/secrets`, secret),
    addCertificate: (clientId: string, certificatePem: string) => ok("POST", `/apps/${seg(clientId)}/certificates`, { certificatePem }),
    /** The body is a fault as the admin router takes it (README, "Fault injection"); answers with the stored fault. */
    addFault: (fault: Json) => ok<Json & { id: string }>("POST", "/faults", fault),
    faults: () => ok<Json[]>("GET", "/faults"),
    clearFaults: () => ok<Json[]>("DELETE", "/faults"),
    grantConsent: (consent: Json) => ok<Json & { id: string; scopes: string[] }>("POST", "/consents", consent),
    consents: (filter?: Filter) => ok<Json[]>("GET", `/consents${query(filter)}`),
    revokeConsents: (filter?: Filter) => ok<Json[]>("DELETE", `/consents${query(filter)}`),
    revokeRefreshTokens: (filter: Json) => ok<{ revoked: number }>("POST", "/refresh-tokens/revoke", filter),
    makeRefreshTokensInactive: (filter: Json) => ok<{ inactive: number; lastUsedAt: string }>("POST", "/refresh-tokens/inactive", filter),
    advanceClock: (seconds: number) => ok<{ now: string; clockOffsetMs: number }>("POST", "/clock", { advanceSeconds: seconds }),
    /** Mail sent through Graph or SMTP, optionally only one mailbox's (as sender or owner). */
    outbox: (mailbox?: string) => ok<Json[]>("GET", `/outbox${query({ mailbox })}`),
    clearOutbox: () => ok<{ removed: number }>("DELETE", "/outbox"),
    /** The last IMAP/POP/SMTP authentications, with the reason for each refusal. */
    mailAuthLog: () => ok<Json[]>("GET", "/mail-log"),
    mailbox: (user: string) => ok("GET", `/mailboxes/${seg(user)}`),
  };
}

export type EmulatorAdmin = ReturnType<typeof emulatorAdmin>;
