import nodemailer from "nodemailer";
import { failed, networkFailure, unexpected, where, type ProbeEndpoint, type ProbeFailure, type ProbeResult } from "./probe-result";
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

export async function probeSmtp(input: SmtpProbeInput): Promise<ProbeResult<SmtpDetails>> {
  const at: ProbeEndpoint = { protocol: "smtp", host: input.host, port: input.port };
  const transport = nodemailer.createTransport({
    host: input.host,
    port: input.port,
    secure: false,
    requireTLS: true,
    auth: { type: "OAuth2", user: input.user, accessToken: input.accessToken },
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
export function classifySmtpError(at: ProbeEndpoint, e: unknown): ProbeFailure {
  const err = e as { response?: unknown; code?: string; command?: string } | null;
  const reply = typeof err?.response === "string" ? parseSmtpReply(err.response) : undefined;
  if (reply) {
    const during = err?.command ? ` to ${err.command}` : "";
    return failed(at, smtpReplyCode(reply), `${where(at)} answered${during}: ${reply.line}`, { reply: reply.line });
  }
  const network = networkFailure(at, e);
  if (network) return network;
  if (err?.code === "ETLS") return failed(at, "tls_failed", `${where(at)}: STARTTLS failed (ETLS).`);
  if (err?.code === "EAUTH") return failed(at, "smtp_auth_failed", `${where(at)}: the sign-in did not complete (EAUTH, no reply from the server).`);
  return unexpected(at, e);
}
