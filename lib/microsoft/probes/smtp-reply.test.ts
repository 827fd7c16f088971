import { describe, expect, it } from "vitest";
import { classOf } from "@/lib/diagnosis/catalog";
import { parseSmtpReply, smtpReplyCode } from "./smtp-reply";

// Exchange's replies as documented (reference §5.1, §5.5) and as RFC 3463 shapes them.
const table: [string, number, string | undefined, string, string][] = [
  ["535 5.7.3 Authentication unsuccessful [MN2PR05CA0004.namprd05.prod.outlook.com 2023-09-12T20:59:57.214Z 08DBB276B7E699C4]", 535, "5.7.3", "smtp_auth_failed", "misconfigured"],
  ["550 5.7.30 Basic authentication is not supported for Client Submission.", 550, "5.7.30", "smtp_basic_auth_disabled", "misconfigured"],
  ["535 5.7.139 Authentication unsuccessful, SmtpClientAuthentication is disabled for the Tenant. Visit https://aka.ms/smtp_auth_disabled for more information.", 535, "5.7.139", "smtp_auth_disabled", "misconfigured"],
  ["421 4.7.0 Temporary server error. Please try again later. PRX4", 421, "4.7.0", "smtp_temporary", "transient"],
  ["454 4.7.0 Temporary authentication failure", 454, "4.7.0", "smtp_temporary", "transient"],
  ["530 5.7.57 Client not authenticated to send mail. [DM6PR01CA0001]", 530, "5.7.57", "smtp_not_authenticated", "misconfigured"],
  ["432 4.3.2 STOREDRV.ClientSubmit; sender thread limit exceeded", 432, "4.3.2", "smtp_temporary", "transient"],
  ["554 5.2.252 SendAsDenied; adele@contoso.com not allowed to send as x@contoso.com", 554, "5.2.252", "smtp_send_as_denied", "misconfigured"],
  ["504 5.7.4 Unrecognized authentication type", 504, "5.7.4", "smtp_auth_mechanism", "misconfigured"],
  ["535 Authentication failed", 535, undefined, "smtp_auth_failed", "misconfigured"],
  ["421 Service not available, closing transmission channel", 421, undefined, "smtp_temporary", "transient"],
  ["550 5.1.10 RESOLVER.ADR.RecipientNotFound; Recipient not found by SMTP address lookup", 550, "5.1.10", "smtp_rejected", "misconfigured"],
];

describe("SMTP replies by their codes", () => {
  it.each(table)("%s", (line, basic, enhanced, code, cls) => {
    const reply = parseSmtpReply(line)!;
    expect(reply.basic).toBe(basic);
    expect(reply.enhanced).toBe(enhanced);
    expect(reply.line).toBe(line);
    expect(smtpReplyCode(reply)).toBe(code);
    expect(classOf(code)).toBe(cls);
  });

  it("does not read 5.7.30 as 5.7.3, nor 5.7.139 as 5.7.13", () => {
    expect(parseSmtpReply("550 5.7.30 x")?.enhanced).toBe("5.7.30");
    expect(smtpReplyCode(parseSmtpReply("550 5.7.30 x")!)).not.toBe("smtp_auth_failed");
    expect(parseSmtpReply("535 5.7.139 x")?.enhanced).toBe("5.7.139");
  });

  it("decides on codes, not words: the same text under other codes means other things", () => {
    const text = "Authentication unsuccessful, SmtpClientAuthentication is disabled 5.7.139";
    expect(smtpReplyCode(parseSmtpReply(`421 4.7.0 ${text}`)!)).toBe("smtp_temporary");
    expect(smtpReplyCode(parseSmtpReply(`535 5.7.3 ${text}`)!)).toBe("smtp_auth_failed");
  });

  it("reads the last line of a multi-line reply, and refuses what is not a reply", () => {
    expect(parseSmtpReply("250-first\r\n535 5.7.3 no\r\n")).toMatchObject({ basic: 535, enhanced: "5.7.3", text: "no" });
    expect(parseSmtpReply("Connection closed")).toBeUndefined();
    expect(parseSmtpReply("")).toBeUndefined();
  });
});
