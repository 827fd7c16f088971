import { ImapFlow } from "imapflow";
import { failed, networkFailure, unexpected, where, type ProbeEndpoint, type ProbeFailure, type ProbeResult } from "./probe-result";
import { sni } from "./probe-result";

// IMAP over TLS: AUTHENTICATE XOAUTH2, then EXAMINE INBOX (reference §5.1, §5.2). Failures are
// decided on imapflow's error properties (authenticationFailed, responseStatus, the RFC 5530
// response code in brackets, its own and Node's error codes), never on the reply's words.

export type ImapProbeInput = { host: string; port: number; user: string; accessToken: string; timeoutMs: number; ca?: string };
export type ImapDetails = { exists: number };

type ImapError = {
  authenticationFailed?: boolean;
  responseStatus?: string;
  responseText?: string;
  serverResponseCode?: string;
  response?: unknown;
  oauthError?: unknown;
  code?: string;
};

export async function probeImap(input: ImapProbeInput): Promise<ProbeResult<ImapDetails>> {
  const at: ProbeEndpoint = { protocol: "imap", host: input.host, port: input.port };
  const client = new ImapFlow({
    host: input.host,
    port: input.port,
    secure: true,
    auth: { user: input.user, accessToken: input.accessToken },
    logger: false,
    tls: { ...sni(input.host), ...(input.ca ? { ca: input.ca } : {}) },
    connectionTimeout: input.timeoutMs,
    greetingTimeout: input.timeoutMs,
    socketTimeout: input.timeoutMs,
  });
  client.on("error", () => {}); // failures surface through the awaited calls
  let signedIn = false;
  try {
    await client.connect();
    signedIn = true;
    const box = await client.mailboxOpen("INBOX", { readOnly: true });
    await client.logout();
    return { ok: true, at, details: { exists: box.exists }, summary: `Signed in to ${input.host}:${input.port}; INBOX has ${box.exists} message(s).` };
  } catch (e) {
    client.close();
    return classifyImapError(at, e, { signedIn });
  }
}

const BUSY = new Set(["UNAVAILABLE", "INUSE", "LIMIT"]);
const AUTH = new Set(["AUTHENTICATIONFAILED", "AUTHORIZATIONFAILED", "EXPIRED", "PRIVACYREQUIRED", "CONTACTADMIN"]);

/** The tagged reply as the server sent it, as far as imapflow keeps it. */
function replyOf(err: ImapError): string | undefined {
  if (typeof err.response === "string" && err.response) return err.response;
  if (!err.responseStatus) return undefined;
  return [err.responseStatus, err.serverResponseCode ? `[${err.serverResponseCode}]` : "", err.responseText ?? ""].filter(Boolean).join(" ");
}

/** `signedIn`: whether AUTHENTICATE had succeeded when the error came. */
export function classifyImapError(at: ProbeEndpoint, e: unknown, stage: { signedIn: boolean }): ProbeFailure {
  const err = (e ?? {}) as ImapError;
  const reply = replyOf(err);
  const said = (what: string) => `${where(at)} ${what}${reply ? `: ${reply}` : "."}`;
  const extra = reply ? { reply } : {};
  const code = err.serverResponseCode?.toUpperCase();
  if ((code && BUSY.has(code)) || err.code === "ETHROTTLE") return failed(at, "imap_unavailable", said("is busy"), extra);
  if (err.authenticationFailed || (code && AUTH.has(code))) {
    // XOAUTH2 servers may explain a refused token in a base64 JSON continuation (reference §5.1).
    const oauth = err.oauthError ? ` (server said ${JSON.stringify(err.oauthError)})` : "";
    return failed(at, "imap_auth_failed", `${said("refused the XOAUTH2 sign-in")}${oauth}`, extra);
  }
  if (err.responseStatus === "BAD" && stage.signedIn) {
    // A BAD to a well-formed EXAMINE INBOX after a successful sign-in is Exchange's "authenticated
    // but not connected": the mailbox in user= could not be opened for this token.
    return failed(at, "imap_not_connected", said("accepted the sign-in but could not open the mailbox"), extra);
  }
  if (err.responseStatus === "NO" || err.responseStatus === "BAD") return failed(at, "imap_command_failed", said("refused the command"), extra);
  return networkFailure(at, e) ?? unexpected(at, e);
}
