import type { Purpose } from "@/lib/microsoft/scopes";

export const PURPOSE_LABELS: Record<Purpose, { label: string; description: string }> = {
  "graph-read": { label: "Read mail with Microsoft Graph", description: "Read messages through the Graph API (Mail.Read)." },
  "graph-send": { label: "Send mail with Microsoft Graph", description: "Send as the mailbox through Graph (Mail.Send)." },
  imap: { label: "IMAP", description: "Fetch mail over IMAP with OAuth (IMAP.AccessAsUser.All)." },
  pop: { label: "POP", description: "Fetch mail over POP3 with OAuth (POP.AccessAsUser.All)." },
  smtp: { label: "SMTP send", description: "Send mail over SMTP AUTH with OAuth (SMTP.Send)." },
  ews: { label: "Exchange Web Services (legacy)", description: "Being retired in Exchange Online: only for software that cannot move yet." },
};
