import nodemailer from "nodemailer";
import type SMTPConnection from "nodemailer/lib/smtp-connection";
import { failed, networkFailure, unexpected, where, xoauth2, type ProbeEndpoint, type ProbeFailure, type ProbeResult } from "./probe-result";
import { parseSmtpReply, smtpReplyCode } from "./smtp-reply";
import { sni } from "./probe-result";

// SMTP client submission with XOAUTH2 after STARTTLS (reference §5.1, §5.2), optionally sending
// one message. Failures are decided on the reply's codes and nodemailer's error codes.

export type SmtpProbeInput = {
  host: string;
  port: number;
  user: string;
  accessToken: string;
  timeoutMs: number;
  /** Extra CA for the server's certificate (tests, self-hosted stand-ins). */
  ca?: string;
  /** Send one message from `user` to this address after signing in. */
  sendTo?: string;
  message?: { subject: string; text: string };
};

export type SmtpDetails = { sentTo?: string; messageId?: string };

/** The JSON of an XOAUTH2 error challenge (`334 <base64 JSON>`, reference §5.1), else undefined. */
export function decodeXoauth2Challenge(line: string): string | undefined {
  const b64 = /^334 ([A-Za-z0-9+/=]+)\s*$/.exec(line)?.[1];
  if (!b64) return undefined;
  const text = Buffer.from(b64, "base64").toString("utf8");
  try {
    const json: unknown = JSON.parse(text);
    return json && typeof json === "object" && "status" in json ? JSON.stringify(json) : undefined;
  } catch {
    return undefined; // "334 VXNlcm5hbWU6" and other SASL prompts
  }
}

/**
 * The SASL exchange, done here rather than by nodemailer's own XOAUTH2: on a `334` error challenge
 * nodemailer sends the empty line but keeps the JSON to itself, then drops the 535 and sends AUTH
 * XOAUTH2 again with the same token (it cannot renew a bare access token), a second refused sign-in
 * per test. Here the challenge is answered once and its JSON kept for the failure.
 */
const METHOD = "MAILGRANT-XOAUTH2"; // nodemailer replaces a method named XOAUTH2 unless it owns the token
class SmtpAuthRefused extends Error {
  constructor(readonly response: string, readonly challenge: string | undefined) {
    super(response);
  }
}
/** Signs in as `credentials.user` with the access token in `credentials.pass`. */
const customAuth: SMTPConnection.CustomAuthenticationHandlers = {
  [METHOD]: async (ctx: SMTPConnection.CustomAuthenticationContext) => {
    const { user, pass: accessToken } = ctx.auth.credentials;
    let answer = await ctx.sendCommand(`AUTH XOAUTH2 ${xoauth2(user, accessToken)}`);
    let challenge: string | undefined;
    if (answer.status === 334) {
      challenge = decodeXoauth2Challenge(answer.response) ?? answer.response;
      answer = await ctx.sendCommand("");
    }
    if (answer.status !== 235) throw new SmtpAuthRefused(answer.response, challenge);
    return true;
  },
};

export async function probeSmtp(input: SmtpProbeInput): Promise<ProbeResult<SmtpDetails>> {
  const at: ProbeEndpoint = { protocol: "smtp", host: input.host, port: input.port };
  const transport = nodemailer.createTransport({
    host: input.host,
    port: input.port,
    secure: false,
    requireTLS: true,
    auth: { type: "custom", method: METHOD, user: input.user, pass: input.accessToken },
    customAuth,
    tls: { ...sni(input.host), ...(input.ca ? { ca: input.ca } : {}) },
    connectionTimeout: input.timeoutMs,
    greetingTimeout: input.timeoutMs,
    socketTimeout: input.timeoutMs,
  });
  try {
    await transport.verify();
    if (!input.sendTo) return { ok: true, at, details: {}, summary: `Signed in to ${input.host}:${input.port} (STARTTLS, AUTH XOAUTH2).` };
    const info = await transport.sendMail({ from: input.user, to: input.sendTo, subject: input.message?.subject ?? "Mailgrant test message", text: input.message?.text ?? "Sent by Mailgrant's connection test over SMTP." });
    return { ok: true, at, details: { sentTo: input.sendTo, messageId: info.messageId }, summary: `Signed in to ${input.host}:${input.port} and sent a test message to ${input.sendTo}.` };
  } catch (e) {
    return classifySmtpError(at, e);
  } finally {
    transport.close();
  }
}

/** nodemailer's error: the server's reply when there is one (decided on its codes), else its error code. */
/** A refused sign-in carries the JSON of the XOAUTH2 error challenge the server sent first, if any. */
export function classifySmtpError(at: ProbeEndpoint, e: unknown): ProbeFailure {
  const err = e as { response?: unknown; code?: string; command?: string } | null;
  const reply = typeof err?.response === "string" ? parseSmtpReply(err.response) : undefined;
  const challenge = e instanceof SmtpAuthRefused ? e.challenge : undefined;
  const said = challenge ? ` (server said ${challenge})` : "";
  if (reply) {
    const command = err?.command === `AUTH ${METHOD}` ? "AUTH XOAUTH2" : err?.command;
    const during = command ? ` to ${command}` : "";
    return failed(at, smtpReplyCode(reply), `${where(at)} answered${during}: ${reply.line}${said}`, { reply: `${reply.line}${said}` });
  }
  const network = networkFailure(at, e);
  if (network) return network;
  if (err?.code === "ETLS") return failed(at, "tls_failed", `${where(at)}: STARTTLS failed (ETLS).`);
  if (err?.code === "EAUTH") return failed(at, "smtp_auth_failed", `${where(at)}: the sign-in did not complete (EAUTH, no reply from the server)${said}.`);
  return unexpected(at, e);
}
