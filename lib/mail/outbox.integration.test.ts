import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { openTestDb } from "@/test-support/test-db";
import type { Database } from "@/lib/db-client";
import { outboundMail, sendConsentLinkMail } from "./outbound";
import { listOutbox } from "./outbox";

// MAILGRANT_SMTP_URL=outbox (demo mode): mail is kept as rows, not sent, and listed newest first.

let database: Database;
beforeAll(async () => {
  database = await openTestDb();
});
afterAll(async () => {
  await database.close();
});

describe("outbox mode", () => {
  it("stores each message instead of sending it, and listOutbox returns them newest first", async () => {
    const mail = outboundMail("outbox", "Mailgrant <alerts@mailgrant.test>", database.prisma)!;
    expect(mail.mode).toBe("outbox");
    const sent = await mail.send({ to: ["a@example.com", "b@example.com"], subject: "First", text: "one", html: "<p>one</p>", orgId: null });
    expect(sent).toMatchObject({ messageId: expect.any(String), code: null });
    // Two inserts may share a millisecond: make the order the test asserts unambiguous.
    await database.prisma.outboxMail.update({ where: { id: sent.messageId! }, data: { createdAt: new Date(Date.now() - 60_000) } });
    await sendConsentLinkMail(mail, { to: "owner@contoso.test", orgName: "Acme", integrationName: "Helpdesk", link: "https://portal.test/consent/t", expiresAt: new Date("2026-06-01T00:00:00Z"), access: ["Read mail"] });

    const list = await listOutbox(database.prisma, { limit: 10 });
    expect(list.map((m) => m.subject)).toEqual(["Acme asks you to connect your mailbox", "First"]);
    expect(list[0]).toMatchObject({ to: ["owner@contoso.test"], html: null, text: expect.stringContaining("https://portal.test/consent/t") });
    expect(list[1]).toMatchObject({ id: sent.messageId, to: ["a@example.com", "b@example.com"], text: "one", html: "<p>one</p>", createdAt: expect.any(Date) });
    expect(await listOutbox(database.prisma, { limit: 1 })).toHaveLength(1);
  });

  it("needs the database, and keeps log and smtp URLs working", () => {
    expect(() => outboundMail("outbox", undefined)).toThrow(/pass the db/);
    expect(outboundMail("log", undefined)?.mode).toBe("log");
    expect(outboundMail("smtp://u:p@mail.test:587", undefined)?.mode).toBe("smtp");
    expect(outboundMail(undefined, undefined)).toBeNull();
  });
});
