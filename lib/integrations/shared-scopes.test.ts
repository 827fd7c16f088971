import { describe, expect, it } from "vitest";
import { missingSharedScopes } from "./shared-scopes";

describe("scopes a shared mailbox needs through Graph", () => {
  it.each([
    [{ purposes: ["graph-read"], extraScopes: [] }, ["Mail.Read.Shared"]],
    [{ purposes: ["graph-read", "graph-send"], extraScopes: [] }, ["Mail.Read.Shared", "Mail.Send.Shared"]],
    [{ purposes: ["graph-read", "graph-send"], extraScopes: ["Mail.Read.Shared"] }, ["Mail.Send.Shared"]],
    [{ purposes: ["graph-read"], extraScopes: ["https://graph.microsoft.com/Mail.ReadWrite.Shared"] }, []],
    [{ purposes: ["imap", "smtp"], extraScopes: [] }, []],
  ])("%j needs %j", (integration, expected) => {
    expect(missingSharedScopes(integration)).toEqual(expected);
  });
});
