import { describe, expect, it } from "vitest";
import { keyFormFields, keyInput } from "./key-input";

const now = new Date("2026-12-02T13:00:00.000Z");
const A = "0b6f2c1e-1111-4111-8111-111111111111";
const B = "0b6f2c1e-2222-4222-8222-222222222222";

/** The problems of a form, field by field (the first message of each). */
function problems(raw: Record<string, unknown>): Record<string, string> {
  const r = keyInput(now).safeParse(raw);
  if (r.success) return {};
  const out: Record<string, string> = {};
  for (const i of r.error.issues) out[String(i.path[0])] ??= i.message;
  return out;
}

const form = (over: Record<string, unknown> = {}) => ({ name: "Helpdesk", reach: "ORG", resources: "graph", expiry: "never", ...over });

describe("the create API key form", () => {
  it("makes a key for every mailbox of the org from the simplest form, name trimmed", () => {
    expect(keyInput(now).parse(form({ name: "  Helpdesk production  " }))).toEqual({ name: "Helpdesk production", reach: "ORG", resources: ["graph"], expiresAt: null });
  });

  it("keeps the chosen integrations or mailboxes, each once, and ignores the other list", () => {
    expect(keyInput(now).parse(form({ reach: "INTEGRATIONS", integrationIds: [A, A, B], connectionIds: A }))).toMatchObject({ reach: "INTEGRATIONS", integrationIds: [A, B] });
    const one = keyInput(now).parse(form({ reach: "CONNECTIONS", connectionIds: A, integrationIds: B }));
    expect(one).toMatchObject({ reach: "CONNECTIONS", connectionIds: [A] });
    expect(one).not.toHaveProperty("integrationIds");
  });

  it("takes Graph, Outlook or both, in a fixed order", () => {
    expect(keyInput(now).parse(form({ resources: ["outlook", "graph"] })).resources).toEqual(["graph", "outlook"]);
    expect(keyInput(now).parse(form({ resources: "outlook" })).resources).toEqual(["outlook"]);
  });

  it("turns the expiry choice into a time: a period from now, the end of a chosen day, or never", () => {
    expect(keyInput(now).parse(form({ expiry: "30" })).expiresAt).toEqual(new Date("2027-01-01T13:00:00.000Z"));
    expect(keyInput(now).parse(form({ expiry: "365" })).expiresAt).toEqual(new Date("2027-12-02T13:00:00.000Z"));
    expect(keyInput(now).parse(form({ expiry: "custom", expiresOn: "2027-06-30" })).expiresAt).toEqual(new Date("2027-07-01T00:00:00.000Z"));
    // A date left in the hidden custom field does not count unless "custom" is chosen.
    expect(keyInput(now).parse(form({ expiry: "never", expiresOn: "garbage" })).expiresAt).toBeNull();
  });

  it("names the field of every problem at once, with what to do", () => {
    const p = problems({ name: "   ", reach: "CONNECTIONS", resources: [], expiry: "custom", expiresOn: "" });
    expect(Object.keys(p).sort()).toEqual(["connectionIds", "expiresOn", "name", "resources"]);
    expect(p.name).toMatch(/Enter a name/);
    expect(p.connectionIds).toMatch(/Choose at least one mailbox/);
    expect(p.resources).toMatch(/Choose which tokens/);
    expect(p.expiresOn).toMatch(/Enter the last day/);
  });

  it("refuses a name too long, an unknown reach, resource or expiry", () => {
    expect(problems(form({ name: "x".repeat(81) })).name).toMatch(/at most 80/);
    expect(problems(form({ reach: "EVERYTHING" })).reach).toMatch(/Choose which mailboxes/);
    expect(problems(form({ reach: undefined })).reach).toMatch(/Choose which mailboxes/);
    expect(problems(form({ resources: ["graph", "ews"] })).resources).toMatch(/"ews" is not a kind of token/);
    expect(problems(form({ expiry: "7" })).expiry).toMatch(/Choose when the key expires/);
  });

  it("asks for an integration when the key reaches chosen integrations, and refuses ids that are not ids", () => {
    expect(problems(form({ reach: "INTEGRATIONS" })).integrationIds).toMatch(/Choose at least one integration/);
    expect(problems(form({ reach: "INTEGRATIONS", integrationIds: ["1 OR 1=1"] })).integrationIds).toMatch(/Reload the page/);
    expect(problems(form({ reach: "CONNECTIONS", connectionIds: [A, "nope"] })).connectionIds).toMatch(/Reload the page/);
  });

  it("wants a real day after today and within five years for a custom expiry", () => {
    expect(problems(form({ expiry: "custom", expiresOn: "30/06/2027" })).expiresOn).toMatch(/YYYY-MM-DD/);
    expect(problems(form({ expiry: "custom", expiresOn: "2027-02-30" })).expiresOn).toMatch(/is not a date/);
    expect(problems(form({ expiry: "custom", expiresOn: "2026-12-02" })).expiresOn).toMatch(/a day after today/);
    expect(problems(form({ expiry: "custom", expiresOn: "2026-11-01" })).expiresOn).toMatch(/a day after today/);
    expect(problems(form({ expiry: "custom", expiresOn: "2026-12-03" }))).toEqual({});
    expect(problems(form({ expiry: "custom", expiresOn: "20270-01-01" })).expiresOn).toMatch(/YYYY-MM-DD/);
    expect(problems(form({ expiry: "custom", expiresOn: "2035-01-01" })).expiresOn).toMatch(/within 5 years/);
  });

  it("lets orgAction pass a form through unchanged for the handler to parse", () => {
    const raw = { name: "Helpdesk", reach: "CONNECTIONS", connectionIds: A, resources: ["graph", "outlook"], expiry: "90" };
    const passed = keyFormFields.strict().parse(raw);
    expect(passed).toEqual({ ...raw, connectionIds: [A], integrationIds: [] });
    expect(keyInput(now).parse(passed)).toMatchObject({ reach: "CONNECTIONS", connectionIds: [A], resources: ["graph", "outlook"] });
  });
});
