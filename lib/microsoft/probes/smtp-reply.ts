// SMTP replies by their codes: the basic reply code (RFC 5321 §4.2) and the enhanced status code
// (RFC 3463: class.subject.detail, compared as whole numbers so 5.7.30 is not 5.7.3). Exchange's
// texts change; its codes are what it documents (reference §5.1, §5.5).

export type SmtpReply = { basic: number; enhanced?: string; text: string; line: string };

/** The last line of a (possibly multi-line) reply, split into its codes; undefined when it is not an SMTP reply. */
export function parseSmtpReply(response: string): SmtpReply | undefined {
  const line = response.split(/\r?\n/).filter((l) => l.trim() !== "").at(-1)?.trim();
  if (!line) return undefined;
  const m = /^([2-5]\d\d)(?:[ -]|$)(?:([245])\.(\d{1,3})\.(\d{1,3})(?=\s|$))?\s*(.*)$/.exec(line);
  if (!m) return undefined;
  const enhanced = m[2] ? `${Number(m[2])}.${Number(m[3])}.${Number(m[4])}` : undefined;
  return { basic: Number(m[1]), ...(enhanced ? { enhanced } : {}), text: m[5] ?? "", line };
}

/** Enhanced codes with their own explanation (lib/diagnosis/mail.ts). */
const BY_ENHANCED: Record<string, string> = {
  "5.7.139": "smtp_auth_disabled",
  "5.7.3": "smtp_auth_failed",
  "5.7.30": "smtp_basic_auth_disabled",
  "5.7.57": "smtp_not_authenticated",
  "5.2.252": "smtp_send_as_denied",
  "5.7.4": "smtp_auth_mechanism",
};

const BY_BASIC: Record<number, string> = {
  535: "smtp_auth_failed",
  530: "smtp_not_authenticated",
  504: "smtp_auth_mechanism",
};

/** The diagnosis code of a failure reply. Any 4xx (421 included) is temporary, whatever else it says. */
export function smtpReplyCode(reply: SmtpReply): string {
  if (reply.basic >= 400 && reply.basic < 500) return "smtp_temporary";
  return (reply.enhanced ? BY_ENHANCED[reply.enhanced] : undefined) ?? BY_BASIC[reply.basic] ?? "smtp_rejected";
}
