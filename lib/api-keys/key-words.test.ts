import { describe, expect, it } from "vitest";
import { keyStatus, reachWords, resourceWords } from "./key-words";
import type { KeyChoices } from "./key-choices";

const I1 = "0b6f2c1e-1111-4111-8111-111111111111";
const I2 = "0b6f2c1e-2222-4222-8222-222222222222";
const mailbox = (n: number) => ({ id: `0b6f2c1e-3333-4333-8333-${String(n).padStart(12, "0")}`, mailbox: `user${n}@contoso.com`, kind: "USER" as const, integrationId: I1, integrationName: "Helpdesk app" });
const choices: KeyChoices = { integrations: [{ id: I1, name: "Helpdesk app", mailboxes: 5 }], mailboxes: [1, 2, 3, 4, 5].map(mailbox) };
const none = { integrationIds: [], connectionIds: [] };

describe("API keys in words", () => {
  it("says what a key reaches", () => {
    expect(reachWords({ reach: "ORG", ...none }, choices)).toBe("All mailboxes");
    expect(reachWords({ reach: "INTEGRATIONS", integrationIds: [I1], connectionIds: [] }, choices)).toBe("Mailboxes of: Helpdesk app");
    expect(reachWords({ reach: "CONNECTIONS", integrationIds: [], connectionIds: [mailbox(1).id, mailbox(2).id] }, choices)).toBe("2 mailboxes: user1@contoso.com, user2@contoso.com");
    expect(reachWords({ reach: "CONNECTIONS", integrationIds: [], connectionIds: [1, 2, 3, 4, 5].map((n) => mailbox(n).id) }, choices)).toBe("5 mailboxes: user1@contoso.com, user2@contoso.com, user3@contoso.com and 2 more");
  });

  it("counts what has been deleted since, and says when that leaves nothing", () => {
    expect(reachWords({ reach: "INTEGRATIONS", integrationIds: [I1, I2], connectionIds: [] }, choices)).toBe("Mailboxes of: Helpdesk app (and 1 deleted integration)");
    expect(reachWords({ reach: "INTEGRATIONS", integrationIds: [I2], connectionIds: [] }, choices)).toBe("Mailboxes of 1 deleted integration (reaches nothing)");
    expect(reachWords({ reach: "CONNECTIONS", integrationIds: [], connectionIds: [mailbox(1).id, mailbox(9).id] }, choices)).toBe("1 mailbox: user1@contoso.com (and 1 deleted one)");
    expect(reachWords({ reach: "CONNECTIONS", integrationIds: [], connectionIds: [mailbox(9).id] }, choices)).toBe("1 deleted mailbox (reaches nothing)");
  });

  it("tells active, expired and revoked keys apart (revoked wins)", () => {
    const now = new Date("2026-12-02T12:00:00Z");
    expect(keyStatus({ revokedAt: null, expiresAt: null }, now)).toBe("active");
    expect(keyStatus({ revokedAt: null, expiresAt: new Date("2026-12-03T00:00:00Z") }, now)).toBe("active");
    expect(keyStatus({ revokedAt: null, expiresAt: now }, now)).toBe("expired");
    expect(keyStatus({ revokedAt: now, expiresAt: new Date("2026-01-01T00:00:00Z") }, now)).toBe("revoked");
  });

  it("names resources", () => {
    expect(resourceWords(["graph", "outlook"])).toEqual(["Microsoft Graph", "Outlook: IMAP, POP and SMTP (XOAUTH2)"]);
  });
});
