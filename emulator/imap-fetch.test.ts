import { ImapFlow } from "imapflow";
import { describe, expect, it } from "vitest";
import { LineClient, OUTLOOK_SCOPES, USERS, delegatedToken, helpdeskToken, xoauth2 } from "./mail-test-support";
import { parseFetchItems, parseSequenceSet } from "./imap-fetch";
import { admin, setupTestEmulator } from "./test-support";

const emu = setupTestEmulator();
const READER = "reader@contoso.onmicrosoft.com";

/** A mailbox with `count` generated Inbox messages, and an app-only IMAP token that may open it. */
async function mailbox(count: number): Promise<string> {
  await admin(emu.http, "POST", "/tenants/contoso.onmicrosoft.com/users", { upn: READER, displayName: "Rita Reader", inboxCount: count });
  return helpdeskToken(emu, "https://outlook.office365.com");
}

async function signedIn(accessToken: string): Promise<LineClient> {
  const c = await LineClient.connectTls(emu.imapPort!);
  await c.line();
  expect(await c.command(`a1 AUTHENTICATE XOAUTH2 ${xoauth2(READER, accessToken)}`, /^a1 /)).toEqual(["a1 OK AUTHENTICATE completed."]);
  return c;
}

function imapflow(accessToken: string, user = READER): ImapFlow {
  const client = new ImapFlow({
    host: "127.0.0.1",
    port: emu.imapPort!,
    secure: true,
    auth: { user, accessToken },
    logger: false,
    tls: { rejectUnauthorized: false },
  });
  client.on("error", () => {});
  return client;
}

/** Adele sends a message through Graph (kept in her Sent Items, delivered to `to` when it is an emulator mailbox). */
async function sendAsAdele(to: string, subject: string, content: string): Promise<void> {
  const graphToken = await delegatedToken(emu, USERS.adele.id, "Mail.Send");
  const message = { subject, body: { contentType: "Text", content }, toRecipients: [{ emailAddress: { address: to } }] };
  const res = await fetch(`${emu.http}/graph.microsoft.com/v1.0/me/sendMail`, {
    method: "POST",
    headers: { authorization: `Bearer ${graphToken}`, "content-type": "application/json" },
    body: JSON.stringify({ message, saveToSentItems: true }),
  });
  expect(res.status).toBe(202);
}

describe("IMAP FETCH, SEARCH and STORE", () => {
  it("lets imapflow read envelopes, structures and full sources of 10 messages", async () => {
    const client = imapflow(await mailbox(10));
    await client.connect();
    const lock = await client.getMailboxLock("INBOX");
    try {
      const list = [];
      for await (const msg of client.fetch("1:*", { uid: true, envelope: true, flags: true, size: true, internalDate: true, bodyStructure: true })) list.push(msg);
      expect(list).toHaveLength(10);
      expect(list.map((m) => m.uid)).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9, 10]);
      const newest = list.at(-1)!;
      expect(newest.envelope?.subject).toBe("Welcome to your new mailbox");
      expect(newest.envelope?.from).toEqual([{ name: "Microsoft 365", address: "no-reply@microsoft.example" }]);
      expect(newest.envelope?.to).toEqual([{ name: "Rita Reader", address: READER }]);
      expect(newest.envelope?.messageId).toMatch(/^<[0-9A-F]{24}@microsoft\.example>$/);
      expect(newest.bodyStructure).toMatchObject({ type: "text/plain", parameters: { charset: "utf-8" }, encoding: "8bit" });
      expect(newest.internalDate instanceof Date).toBe(true);
      // The oldest generated message is read, the others not.
      expect([...(list[0]!.flags ?? [])]).toEqual(["\\Seen"]);
      expect(newest.flags?.size).toBe(0);

      const sources = [];
      for await (const msg of client.fetch("1:*", { uid: true, source: true })) sources.push(msg);
      expect(sources).toHaveLength(10);
      for (const [i, msg] of sources.entries()) {
        const text = msg.source!.toString("utf8");
        expect(msg.source!.length).toBe(list[i]!.size);
        expect(text).toContain(`Subject: ${list[i]!.envelope!.subject}\r\n`);
        expect(text).toMatch(/\r\n\r\n.+\r\n$/);
      }
      // BODY.PEEK[] leaves \Seen alone.
      expect(await client.search({ seen: false }, { uid: true })).toHaveLength(9);

      const one = await client.fetchOne("10", { source: true, headers: ["subject"] }, { uid: true });
      expect(one && one.headers?.toString()).toBe("Subject: Welcome to your new mailbox\r\n\r\n");
      expect(await client.messageFlagsAdd("10", ["\\Seen"], { uid: true })).toBe(true);
      expect(await client.search({ seen: false }, { uid: true })).toHaveLength(8);
      expect(await client.search({ all: true })).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9, 10]);
    } finally {
      lock.release();
    }
    await client.logout();
  });

  it("reads Sent Items: a message sent through Graph, 8-bit subject and all", async () => {
    await sendAsAdele(USERS.megan.upn, "Grüße aus Köln", "Bis bald.\nAdele");
    const client = imapflow(await delegatedToken(emu, USERS.adele.id, OUTLOOK_SCOPES.imap), USERS.adele.upn);
    await client.connect();
    const box = await client.mailboxOpen("Sent Items");
    expect(box.exists).toBe(1);
    const [sent] = await client.fetchAll("1:*", { envelope: true, source: true, size: true });
    expect(sent?.envelope?.subject).toBe("Grüße aus Köln");
    expect(sent?.envelope?.to).toEqual([{ name: "", address: USERS.megan.upn }]);
    expect(sent?.source?.length).toBe(sent?.size);
    expect(sent?.source?.toString("utf8")).toMatch(/Subject: Grüße aus Köln\r\n[\s\S]*\r\n\r\nBis bald\.\r\nAdele\r\n$/);
    await client.mailboxOpen("Drafts");
    expect(await client.fetchAll("1:*", { uid: true })).toEqual([]);
    await client.logout();
  });

  it("answers the exact wire format of FETCH items", async () => {
    const c = await signedIn(await mailbox(2));
    await c.command("s1 SELECT INBOX", /^s1 /);
    const fast = await c.command("f1 FETCH 1:* FAST", /^f1 /);
    expect(fast).toHaveLength(3);
    expect(fast[0]).toMatch(/^\* 1 FETCH \(FLAGS \(\\Seen\) INTERNALDATE "\d{2}-[A-Z][a-z]{2}-\d{4} \d{2}:\d{2}:\d{2} \+0000" RFC822\.SIZE \d+\)$/);
    expect(fast[1]).toMatch(/^\* 2 FETCH \(FLAGS \(\) INTERNALDATE "/);
    expect(fast[2]).toBe("f1 OK FETCH completed.");

    const env = await c.command("f2 UID FETCH 2 (ENVELOPE)", /^f2 /);
    expect(env[0]).toMatch(
      /^\* 2 FETCH \(UID 2 ENVELOPE \("[A-Z][a-z]{2}, \d{2} [A-Z][a-z]{2} \d{4} \d{2}:\d{2}:\d{2} \+0000" "Welcome to your new mailbox" \(\("Microsoft 365" NIL "no-reply" "microsoft\.example"\)\) \(\("Microsoft 365" NIL "no-reply" "microsoft\.example"\)\) \(\("Microsoft 365" NIL "no-reply" "microsoft\.example"\)\) \(\("Rita Reader" NIL "reader" "contoso\.onmicrosoft\.com"\)\) NIL NIL NIL "<[0-9A-F]{24}@microsoft\.example>"\)\)$/,
    );

    const body = "Your mailbox is ready. Sign in to Outlook on the web to read and send mail.\r\n";
    const text = await c.command("f3 FETCH 2 (BODY.PEEK[TEXT] BODYSTRUCTURE)", /^f3 /);
    expect(text).toEqual([`* 2 FETCH (BODY[TEXT] {${body.length}}`, body.trimEnd(), ` BODYSTRUCTURE ("TEXT" "PLAIN" ("CHARSET" "utf-8") NIL NIL "8BIT" ${body.length} 1 NIL NIL NIL NIL))`, "f3 OK FETCH completed."]);

    const partial = await c.command("f4 FETCH 2 BODY.PEEK[TEXT]<5.7>", /^f4 /);
    expect(partial).toEqual(["* 2 FETCH (BODY[TEXT]<5> {7}", "mailbox)", "f4 OK FETCH completed."]);

    const fields = await c.command("f5 FETCH 2 (BODY.PEEK[HEADER.FIELDS (subject from)])", /^f5 /);
    const picked = "From: Microsoft 365 <no-reply@microsoft.example>\r\nSubject: Welcome to your new mailbox\r\n\r\n";
    expect(fields).toEqual([`* 2 FETCH (BODY[HEADER.FIELDS (SUBJECT FROM)] {${picked.length}}`, "From: Microsoft 365 <no-reply@microsoft.example>", "Subject: Welcome to your new mailbox", "", ")", "f5 OK FETCH completed."]);

    // BODY[] (not PEEK) sets \Seen and says so in the same response.
    const full = await c.command("f6 FETCH 2 BODY[]", /^f6 /);
    expect(full[0]).toMatch(/^\* 2 FETCH \(BODY\[\] \{\d+\}$/);
    expect(full.at(-2)).toBe(" FLAGS (\\Seen))");
    expect(await c.command("f7 SEARCH UNSEEN", /^f7 /)).toEqual(["* SEARCH", "f7 OK SEARCH completed."]);
    expect(await c.command("f8 UID STORE 2 -FLAGS (\\Seen)", /^f8 /)).toEqual(["* 2 FETCH (FLAGS () UID 2)", "f8 OK STORE completed."]);
    expect(await c.command("f9 STORE 1 +FLAGS.SILENT (\\Seen)", /^f9 /)).toEqual(["f9 OK STORE completed."]);
    expect(await c.command("g1 UID SEARCH ALL", /^g1 /)).toEqual(["* SEARCH 1 2", "g1 OK SEARCH completed."]);
    expect(await c.command("g2 SEARCH UNSEEN", /^g2 /)).toEqual(["* SEARCH 2", "g2 OK SEARCH completed."]);
    c.close();
  });

  it("answers Thunderbird's lower-case UID fetches of flags, header fields and sources", async () => {
    const c = await signedIn(await mailbox(3));
    await c.command('5 select "INBOX"', /^5 /);
    expect(await c.command("6 UID fetch 1:* (FLAGS)", /^6 /)).toEqual(["* 1 FETCH (UID 1 FLAGS (\\Seen))", "* 2 FETCH (UID 2 FLAGS ())", "* 3 FETCH (UID 3 FLAGS ())", "6 OK FETCH completed."]);
    const headers = await c.command(
      "7 UID fetch 2:3 (UID RFC822.SIZE FLAGS BODY.PEEK[HEADER.FIELDS (From To Cc Bcc Subject Date Message-ID Priority X-Priority References Newsgroups In-Reply-To Content-Type Reply-To)])",
      /^7 /,
    );
    expect(headers[0]).toMatch(/^\* 2 FETCH \(UID 2 RFC822\.SIZE \d+ FLAGS \(\) BODY\[HEADER\.FIELDS \(FROM TO CC BCC SUBJECT DATE MESSAGE-ID PRIORITY X-PRIORITY REFERENCES NEWSGROUPS IN-REPLY-TO CONTENT-TYPE REPLY-TO\)\] \{\d+\}$/);
    expect(headers).toContain('Content-Type: text/plain; charset="utf-8"');
    expect(headers.at(-1)).toBe("7 OK FETCH completed.");
    const source = await c.command("8 UID fetch 3 (UID RFC822.SIZE BODY.PEEK[])", /^8 /);
    const size = Number(/RFC822\.SIZE (\d+)/.exec(source[0]!)?.[1]);
    expect(source[0]).toMatch(new RegExp(`BODY\\[\\] \\{${size}\\}$`));
    expect(source.slice(1, -2).join("\r\n").length + 2).toBe(size);
    c.close();
  });

  it("announces mail delivered to the selected folder with EXISTS before the next answer", async () => {
    const c = await signedIn(await mailbox(2));
    expect(await c.command("s1 SELECT INBOX", /^s1 /)).toContain("* 2 EXISTS");
    await sendAsAdele(READER, "New while selected", "Hello.");
    expect(await c.command("n1 NOOP", /^n1 /)).toEqual(["* 3 EXISTS", "n1 OK NOOP completed."]);
    expect(await c.command("n2 NOOP", /^n2 /)).toEqual(["n2 OK NOOP completed."]);
    const [latest] = await c.command("n3 FETCH * (UID BODY.PEEK[HEADER.FIELDS (SUBJECT)])", /^n3 /);
    expect(latest).toMatch(/^\* 3 FETCH \(UID 3 BODY\[HEADER\.FIELDS \(SUBJECT\)\] \{\d+\}$/);
    c.close();
  });

  it("answers Exchange's argument error for a bad set or item, and Invalid state without a selected folder", async () => {
    const c = await signedIn(await mailbox(3));
    expect(await c.command("b0 FETCH 1 FLAGS", /^b0 /)).toEqual(["b0 BAD Command received in Invalid state."]);
    await c.command("s1 EXAMINE INBOX", /^s1 /);
    for (const bad of ["FETCH 4 FLAGS", "FETCH 0 FLAGS", "FETCH x FLAGS", "FETCH 1 (NOPE)", "FETCH 1", "UID FROB 1"]) {
      expect(await c.command(`b1 ${bad}`, /^b1 /)).toEqual(["b1 BAD Command Argument Error. 11"]);
    }
    // UIDs that don't exist are simply not there; EXAMINE is read-only, so BODY[] doesn't set \Seen.
    expect(await c.command("b2 UID FETCH 7:9 FLAGS", /^b2 /)).toEqual(["b2 OK FETCH completed."]);
    expect((await c.command("b3 FETCH 3 BODY[HEADER]", /^b3 /)).some((l) => l.includes("FLAGS"))).toBe(false);
    expect(await c.command("b4 STORE 1 +FLAGS (\\Seen)", /^b4 /)).toEqual(["b4 NO [READ-ONLY] STORE failed."]);
    c.close();
  });
});

describe("IMAP set and item parsing", () => {
  it("reads sequence sets with * and ranges either way round", () => {
    expect(parseSequenceSet("1,3:5", 5, false)).toEqual([
      { lo: 1, hi: 1 },
      { lo: 3, hi: 5 },
    ]);
    expect(parseSequenceSet("*", 7, false)).toEqual([{ lo: 7, hi: 7 }]);
    expect(parseSequenceSet("9:*", 7, true)).toEqual([{ lo: 7, hi: 9 }]);
    expect(parseSequenceSet("6", 5, false)).toBeUndefined();
    expect(parseSequenceSet("1:", 5, false)).toBeUndefined();
  });

  it("expands macros and reads sections with partials", () => {
    expect(parseFetchItems("ALL")?.map((i) => i.kind)).toEqual(["FLAGS", "INTERNALDATE", "RFC822.SIZE", "ENVELOPE"]);
    expect(parseFetchItems("FULL")?.map((i) => i.kind)).toContain("BODY");
    expect(parseFetchItems("(UID BODY.PEEK[HEADER.FIELDS.NOT (Received)]<0.100> RFC822.HEADER)")).toEqual([
      { kind: "UID" },
      { kind: "section", peek: true, section: { part: "FIELDS.NOT", fields: ["RECEIVED"] }, partial: { start: 0, count: 100 } },
      { kind: "RFC822.HEADER" },
    ]);
    expect(parseFetchItems("(ALL)")).toBeUndefined();
    expect(parseFetchItems("BODY[MIME]")).toBeUndefined();
  });
});
