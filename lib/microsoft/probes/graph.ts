import { AuthenticationHandler, Client, GraphError, RetryHandler, RetryHandlerOptions, type Context, type Middleware } from "@microsoft/microsoft-graph-client";
import { classOf } from "@/lib/diagnosis/catalog";
import { failed, networkFailure, unexpected, where, type ProbeEndpoint, type ProbeFailure, type ProbeResult } from "./probe-result";

// Graph mail calls for a mailbox test (reference §6): who the token is for, one inbox message,
// sendMail. Throttled calls (429) are retried after Retry-After by the SDK's retry handler.
// Failures are decided on Graph's HTTP status and error code, with its request ids kept.

export type GraphProbeInput = {
  /** The integration's Graph base, e.g. https://graph.microsoft.com/v1.0 */
  graphBase: string;
  accessToken: string;
  /** "/me", or "/users/{address}" for a shared mailbox through a delegate's token. */
  mailboxPath?: string;
  timeoutMs: number;
  /** Called before the SDK waits out a 429 (or 503/504) to retry: the wait in seconds and the attempt. */
  onRetryWait?: (wait: { seconds: number; attempt: number; maxRetries: number; status: number }) => void;
};

export type GraphMeDetails = { id?: string; userPrincipalName?: string; mail?: string; throttledRetries: number };
export type GraphInboxDetails = { newestReceivedAt?: string; empty: boolean; throttledRetries: number };
export type GraphSendDetails = { to: string; throttledRetries: number };

/** Keeps Node's error from fetch (the SDK replaces it with a GraphError that has lost its cause). */
class RecordingFetch implements Middleware {
  lastError: unknown;
  constructor(private readonly signal: AbortSignal) {}
  async execute(context: Context): Promise<void> {
    try {
      context.response = await fetch(context.request, { ...context.options, signal: this.signal });
    } catch (e) {
      this.lastError = (e as { cause?: unknown }).cause ?? e;
      throw e;
    }
  }
}

const MAX_RETRIES = 3;

function graphClient(input: GraphProbeInput, signal: AbortSignal) {
  const base = new URL(input.graphBase);
  const fetcher = new RecordingFetch(signal);
  const auth = new AuthenticationHandler({ getAccessToken: async () => input.accessToken });
  const retry = new RetryHandler(new RetryHandlerOptions());
  auth.setNext(retry);
  retry.setNext(fetcher);
  const client = Client.initWithMiddleware({
    middleware: auth,
    baseUrl: `${base.origin}${base.pathname.replace(/v1\.0\/?$/, "")}`,
    defaultVersion: "v1.0",
    customHosts: new Set([base.hostname]),
  });
  const at: ProbeEndpoint = { protocol: "graph", host: base.hostname, port: Number(base.port) || (base.protocol === "http:" ? 80 : 443) };
  let throttledRetries = 0;
  const retryOptions = () =>
    new RetryHandlerOptions(1, MAX_RETRIES, (delay, attempt, _request, _options, response) => {
      if (response?.status === 429) throttledRetries += 1;
      // The SDK waits Retry-After when Microsoft sends it (its getDelay), else its own backoff.
      const retryAfter = Number(response?.headers.get("retry-after") ?? NaN);
      const seconds = Number.isFinite(retryAfter) ? retryAfter : delay;
      input.onRetryWait?.({ seconds, attempt: attempt + 1, maxRetries: MAX_RETRIES, status: response?.status ?? 0 });
      return true;
    });
  return { client, at, fetcher, retryOptions, throttled: () => throttledRetries };
}

async function run<D>(input: GraphProbeInput, call: (g: ReturnType<typeof graphClient>) => Promise<{ details: D; summary: string }>): Promise<ProbeResult<D>> {
  const controller = new AbortController();
  const timer = setTimeout(() => controller.abort(), input.timeoutMs);
  const g = graphClient(input, controller.signal);
  try {
    const { details, summary } = await call(g);
    return { ok: true, at: g.at, details, summary };
  } catch (e) {
    if (controller.signal.aborted) return failed(g.at, "server_timeout", `${where(g.at)} did not answer within ${Math.round(input.timeoutMs / 1000)} s.`);
    return classifyGraphError(g.at, e, g.fetcher.lastError);
  } finally {
    clearTimeout(timer);
  }
}

const throttleNote = (n: number) => (n ? ` Microsoft throttled the request ${n} time(s); it was retried after the wait Microsoft asked for.` : "");

export function probeGraphMe(input: GraphProbeInput): Promise<ProbeResult<GraphMeDetails>> {
  return run(input, async (g) => {
    const me = (await g.client.api("/me").middlewareOptions([g.retryOptions()]).select("id,displayName,userPrincipalName,mail").get()) as { id?: string; userPrincipalName?: string; mail?: string };
    const details = { throttledRetries: g.throttled(), ...(me.id ? { id: me.id } : {}), ...(me.userPrincipalName ? { userPrincipalName: me.userPrincipalName } : {}), ...(me.mail ? { mail: me.mail } : {}) };
    return { details, summary: `Signed in as ${me.userPrincipalName ?? me.mail ?? "?"}.${throttleNote(g.throttled())}` };
  });
}

export function probeGraphInbox(input: GraphProbeInput): Promise<ProbeResult<GraphInboxDetails>> {
  return run(input, async (g) => {
    const page = (await g.client.api(`${input.mailboxPath ?? "/me"}/mailFolders/inbox/messages`).middlewareOptions([g.retryOptions()]).top(1).select("id,subject,receivedDateTime").get()) as { value?: { receivedDateTime?: string }[] };
    const m = page.value?.[0];
    const read = m ? `Read the newest message (received ${m.receivedDateTime ?? "?"}).` : "The inbox is empty; reading it worked.";
    return { details: { empty: !m, throttledRetries: g.throttled(), ...(m?.receivedDateTime ? { newestReceivedAt: m.receivedDateTime } : {}) }, summary: `${read}${throttleNote(g.throttled())}` };
  });
}

export function probeGraphSend(input: GraphProbeInput & { to: string; subject?: string; text?: string }): Promise<ProbeResult<GraphSendDetails>> {
  return run(input, async (g) => {
    await g.client.api(`${input.mailboxPath ?? "/me"}/sendMail`).middlewareOptions([g.retryOptions()]).post({
      message: { subject: input.subject ?? "Mailgrant test message", body: { contentType: "Text", content: input.text ?? "Sent by Mailgrant's connection test." }, toRecipients: [{ emailAddress: { address: input.to } }] },
      saveToSentItems: false,
    });
    return { details: { to: input.to, throttledRetries: g.throttled() }, summary: `Sent to ${input.to}.${throttleNote(g.throttled())}` };
  });
}

/** Graph's answer by HTTP status and error code; `cause` is Node's error when no answer came. */
export function classifyGraphError(at: ProbeEndpoint, e: unknown, cause?: unknown): ProbeFailure {
  if (!(e instanceof GraphError) || e.statusCode <= 0) return networkFailure(at, cause) ?? networkFailure(at, e) ?? unexpected(at, e);
  const header = (name: string) => e.headers?.get(name) ?? undefined;
  const requestId = e.requestId ?? header("request-id");
  const clientRequestId = header("client-request-id");
  const date = header("date");
  const ids = { ...(requestId ? { requestId } : {}), ...(clientRequestId ? { clientRequestId } : {}), ...(date ? { date } : {}) };
  const reply = `${e.statusCode}${e.code ? ` ${e.code}` : ""}: ${e.message}`;
  const extra = { reply, httpStatus: e.statusCode, ...(e.message ? { message: e.message } : {}), ...(Object.keys(ids).length ? { ids } : {}) };
  const detail = (what: string) => `${where(at)} ${what}: ${reply}${requestId ? ` (request-id ${requestId})` : ""}`;
  if (e.statusCode === 401) {
    const claims = claimsChallengeOf(header("www-authenticate") ?? null);
    if (claims !== undefined) return failed(at, "graph_claims_challenge", detail("asked for a fresh sign-in (claims challenge, insufficient_claims)"), { ...extra, claims });
  }
  if (e.statusCode === 429) {
    const retryAfter = Number(header("retry-after"));
    return failed(at, "graph_throttled", detail("kept throttling"), { ...extra, ...(Number.isFinite(retryAfter) ? { retryAfterSeconds: retryAfter } : {}) });
  }
  const code = e.code ? `graph:${e.code}` : e.statusCode >= 500 ? "graph_unavailable" : `graph_http_${e.statusCode}`;
  // Codes the catalog does not know yet are classed by status: 5xx is Microsoft's side, 401 the token's.
  const byStatus = e.statusCode >= 500 ? "transient" : e.statusCode === 401 ? "needs_reconsent" : "misconfigured";
  return failed(at, code, detail("answered"), { ...extra, class: classOf(code) ?? byStatus });
}

/**
 * The claims a CAE claims challenge asks for (reference §3.4): `WWW-Authenticate: Bearer …,
 * error="insufficient_claims", claims="<base64 JSON>"`. Returns the decoded JSON, or undefined.
 */
export function claimsChallengeOf(header: string | null): string | undefined {
  if (!header || !/error="insufficient_claims"/.test(header)) return undefined;
  const encoded = header.match(/claims="([^"]+)"/)?.[1];
  if (!encoded) return "";
  try {
    return Buffer.from(encoded, "base64").toString("utf8");
  } catch {
    return "";
  }
}
