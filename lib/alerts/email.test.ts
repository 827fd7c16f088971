import { describe, expect, it } from "vitest";
import { EVENT_TYPES, type AnyEventType, type EventData, type EventEnvelope } from "./events";
import { renderAlertEmail } from "./email";

const org = { id: "7d1c7c52-1111-4111-8111-111111111111", slug: "acme", name: "Acme <Ops>" };
const connection = { id: "c1", mailbox: "support@contoso.com", kind: "user" as const, displayName: "Support", tenantId: "t1", url: "https://portal.test/orgs/acme/mailboxes/c1" };
const integration = { id: "i1", name: "Helpdesk", cloud: "global" };
const failure = { class: "needs_reconsent", code: "AADSTS65001", title: "Consent withdrawn", reason: "The grant no longer works: consent was withdrawn.", explanation: "Someone removed the app's consent & <grant>.", fix: "Re-consent from the mailbox page." };

const SAMPLES: { [T in AnyEventType]: EventData[T] } = {
  "connection.failing": { org, connection, integration, health: "FAILING", failure, firstFailedAt: "2026-05-01T10:00:00.000Z" },
  "connection.recovered": { org, connection, integration, health: "HEALTHY", failingSince: "2026-05-01T10:00:00.000Z" },
  "connection.at_risk": { org, connection, integration, reason: "inactivity", deadline: "2026-05-15T10:00:00.000Z", daysLeft: 7, explanation: "Unused refresh tokens expire after 90 days.", fix: "Let the keep-alive run." },
  "tenant.failing": { org, tenantId: "t1", failing: 6, connections: [{ ...connection, code: "AADSTS50020", class: "tenant" }], firstFailedAt: "2026-05-01T10:00:00.000Z", url: "/orgs/acme/mailboxes?tenant=t1" },
  "tenant.recovered": { org, tenantId: "t1", recovered: 6, failingSince: "2026-05-01T10:00:00.000Z", url: "/orgs/acme/mailboxes?tenant=t1" },
  "integration.credentials_failing": { org, integration: { ...integration, url: "https://portal.test/orgs/acme/integrations/i1" }, failure, mailboxes: 3 },
  "integration.credentials_recovered": { org, integration: { ...integration, url: "https://portal.test/orgs/acme/integrations/i1" }, mailboxes: 3 },
  "integration.secret_expiring": { org, integration: { ...integration, url: "https://portal.test/orgs/acme/integrations/i1" }, credential: "secret", expiresAt: "2026-06-01T00:00:00.000Z", daysLeft: 1, mailboxes: 1, fix: "Add a new secret in Azure." },
  test: { org, message: "This is a test event." },
};

const envelope = <T extends AnyEventType>(type: T): EventEnvelope<T> => ({ id: "e1", type, timestamp: "2026-05-01T10:00:00.000Z", data: SAMPLES[type] });

describe("renderAlertEmail", () => {
  it.each([...EVENT_TYPES, "test" as const])("renders %s with a subject, the link and escaped HTML", (type) => {
    const m = renderAlertEmail(envelope(type), { publicUrl: "https://portal.test/" });
    expect(m.subject).toMatch(/^\[Mailgrant\] \S/);
    expect(m.text).toMatch(/https:\/\/portal\.test\/orgs\/acme\//);
    expect(m.html).toMatch(/<a href="https:\/\/portal\.test\/orgs\/acme\//);
    expect(m.html).not.toMatch(/<Ops>|<grant>/);
    expect(m.text).toContain("Settings: https://portal.test/orgs/acme/settings");
  });

  it("says what happened and what to do for a failing mailbox", () => {
    const m = renderAlertEmail(envelope("connection.failing"), { publicUrl: "https://portal.test" });
    expect(m.subject).toBe("[Mailgrant] support@contoso.com stopped working: Consent withdrawn");
    expect(m.text).toContain("What happened: Someone removed the app's consent & <grant>.");
    expect(m.text).toContain("What to do: Re-consent from the mailbox page.");
    expect(m.text).toContain("Open the mailbox: https://portal.test/orgs/acme/mailboxes/c1");
    expect(m.html).toContain("consent &amp; &lt;grant&gt;.");
  });

  it("makes relative links absolute and lists a tenant's mailboxes", () => {
    const m = renderAlertEmail(envelope("tenant.failing"), { publicUrl: "https://portal.test" });
    expect(m.text).toContain("https://portal.test/orgs/acme/mailboxes?tenant=t1");
    expect(m.text).toContain("  - support@contoso.com: AADSTS50020");
    expect(m.subject).toBe("[Mailgrant] 6 mailboxes of Microsoft tenant t1 are failing");
  });

  it("counts days in words", () => {
    expect(renderAlertEmail(envelope("integration.secret_expiring"), { publicUrl: "https://portal.test" }).subject).toBe('[Mailgrant] Integration "Helpdesk": its client secret expires in 1 day');
  });
});
