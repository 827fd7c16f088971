import { describe, expect, it } from "vitest";
import { csvCell, detailEntries, encodeCursor, parseAuditQuery } from "./audit-list";

describe("audit list helpers", () => {
  it("reads filters from the URL and ignores what does not parse", () => {
    const id = "0b6f2c1e-1111-4111-8111-111111111111";
    const at = new Date("2026-12-01T10:00:00.000Z");
    expect(parseAuditQuery({ action: "member.removed", actor: " Olive@Contoso.COM ", from: "2026-11-01", to: "2026-11-30", before: encodeCursor(at, id) })).toEqual({ action: "member.removed", actor: "olive@contoso.com", from: "2026-11-01", to: "2026-11-30", before: { at, id } });
    expect(parseAuditQuery({ action: "DROP TABLE", from: "yesterday", to: "2026-13-45", before: "garbage" })).toEqual({});
    expect(parseAuditQuery({ action: ["org.created", "x"] })).toEqual({ action: "org.created" });
  });

  it("turns details into words: keys spaced, lists kept as lists", () => {
    expect(detailEntries({ mailbox: "a@b.test", grantedScopes: ["Mail.Read", "offline_access"], ok: false, nested: { a: 1 } })).toEqual([
      { key: "mailbox", value: "a@b.test" },
      { key: "granted scopes", value: ["Mail.Read", "offline_access"] },
      { key: "ok", value: "false" },
      { key: "nested", value: '{"a":1}' },
    ]);
    expect(detailEntries(null)).toEqual([]);
  });

  it("reads an API key's hourly token count: the key by name once, counts per resource in words", () => {
    const apiKeyId = "0b6f2c1e-1111-4111-8111-111111111111";
    // In the order PostgreSQL's jsonb keeps keys (shortest first).
    const data = { ips: ["203.0.113.9"], count: 4, prefix: "mgk_AbCd1234", apiKeyId, resources: { graph: 3, outlook: 1 }, apiKeyName: "Helpdesk" };
    const named = new Map([[`api_key:${apiKeyId}`, { kind: "api_key" as const, id: apiKeyId, name: "Helpdesk (mgk_AbCd1234…)", gone: false }]]);
    expect(detailEntries(data, named)).toEqual([
      { key: "api key", value: "Helpdesk (mgk_AbCd1234…)" },
      { key: "count", value: "4" },
      { key: "resources", value: "graph: 3, outlook: 1" },
      { key: "ips", value: ["203.0.113.9"] },
    ]);
    // Without a name from the database it falls back to what the row recorded.
    expect(detailEntries(data)[0]).toEqual({ key: "api key", value: "Helpdesk (mgk_AbCd1234…) (deleted)" });
  });

  it("names the integrations and mailboxes a created key reaches", () => {
    const [i1, c1, gone] = ["0b6f2c1e-2222-4222-8222-222222222222", "0b6f2c1e-3333-4333-8333-333333333333", "0b6f2c1e-4444-4444-8444-444444444444"];
    const named = new Map([
      [`integration:${i1}`, { kind: "integration" as const, id: i1, name: "Helpdesk app", gone: false }],
      [`connection:${c1}`, { kind: "connection" as const, id: c1, name: "a@contoso.com", gone: false }],
    ]);
    expect(detailEntries({ integrationIds: [i1], connectionIds: [c1, gone] }, named)).toEqual([
      { key: "integrations", value: ["Helpdesk app"] },
      { key: "connections", value: ["a@contoso.com", "0b6f2c1e… (deleted)"] },
    ]);
  });

  it("quotes CSV cells and keeps spreadsheets from running a cell as a formula", () => {
    expect(csvCell('say "hi", then go')).toBe('"say ""hi"", then go"');
    expect(csvCell("=HYPERLINK(\"http://evil\")")).toBe('"\'=HYPERLINK(""http://evil"")"');
    expect(csvCell("+1")).toBe('"\'+1"');
    expect(csvCell("plain")).toBe('"plain"');
  });
});
