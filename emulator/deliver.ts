// Mail delivery inside the emulator: a sent message lands in the outbox, in the sender's Sent
// Items when asked, and in the Inbox of every recipient that is an emulator mailbox.
import { guid } from "./ids";
import { newInternetMessageId, type MailAddress, type Mailbox, type SentMessage } from "./mailbox";
import type { EmulatorState } from "./state";
import type { User } from "./model";

export type SendInput = {
  via: SentMessage["via"];
  mailbox: User;
  sentBy: string;
  from: MailAddress;
  to: MailAddress[];
  cc?: MailAddress[];
  bcc?: MailAddress[];
  subject: string;
  body: string;
  internetMessageId?: string;
  saveToSentItems: boolean;
};

export function deliver(state: EmulatorState, input: SendInput): SentMessage {
  const now = state.now();
  const sentAt = new Date(now).toISOString().replace(/\.\d{3}Z$/, "Z");
  const internetMessageId = input.internetMessageId ?? newInternetMessageId(input.from.address);
  const cc = input.cc ?? [];
  const bcc = input.bcc ?? [];
  const copy = (box: Mailbox) => {
    const uid = box.nextUid++;
    return {
      id: `AAMkAG${guid().replace(/-/g, "")}AAA=`,
      uid,
      internetMessageId,
      subject: input.subject,
      from: input.from,
      to: input.to,
      cc,
      receivedDateTime: sentAt,
      body: input.body,
      isRead: false,
    };
  };
  if (input.saveToSentItems) {
    const box = state.mailboxOf(input.mailbox);
    box.sentItems.unshift({ ...copy(box), isRead: true });
  }
  const deliveredTo: string[] = [];
  const seen = new Set<string>();
  for (const rcpt of [...input.to, ...cc, ...bcc]) {
    const local = state.findMailboxUser(rcpt.address);
    if (!local || seen.has(local.id)) continue;
    seen.add(local.id);
    const box = state.mailboxOf(local);
    box.inbox.unshift(copy(box));
    deliveredTo.push(local.upn);
  }
  const sent: SentMessage = {
    id: guid(),
    via: input.via,
    mailbox: input.mailbox.upn,
    sentBy: input.sentBy,
    from: input.from.address,
    to: input.to.map((a) => a.address),
    cc: cc.map((a) => a.address),
    bcc: bcc.map((a) => a.address),
    subject: input.subject,
    body: input.body,
    internetMessageId,
    sentAt,
    deliveredTo,
  };
  state.outbox.push(sent);
  return sent;
}
