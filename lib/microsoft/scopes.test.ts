import { describe, expect, it } from "vitest";
import { CLOUDS, CLOUD_IDS, type CloudId } from "./clouds";
import { PURPOSES, appOnlyScope, delegatedScopes, tokenScopesFor, validateExtraScope, type Purpose } from "./scopes";

// Written out by hand from the reference (§1.3) rather than read from CLOUDS, so a typo there fails.
const EXPECTED: Record<CloudId, { login: string; portal: string; graph: string; outlook: string; outlookApp: string; imap: string; smtp: string }> = {
  global: { login: "login.microsoftonline.com", portal: "https://portal.azure.com", graph: "graph.microsoft.com", outlook: "https://outlook.office.com", outlookApp: "https://outlook.office365.com", imap: "outlook.office365.com", smtp: "smtp.office365.com" },
  gcc: { login: "login.microsoftonline.com", portal: "https://portal.azure.com", graph: "graph.microsoft.com", outlook: "https://outlook.office.com", outlookApp: "https://outlook.office365.com", imap: "outlook.office365.com", smtp: "smtp.office365.com" },
  "gcc-high": { login: "login.microsoftonline.us", portal: "https://portal.azure.us", graph: "graph.microsoft.us", outlook: "https://outlook.office365.us", outlookApp: "https://outlook.office365.us", imap: "outlook.office365.us", smtp: "smtp.office365.us" },
  dod: { login: "login.microsoftonline.us", portal: "https://portal.azure.us", graph: "dod-graph.microsoft.us", outlook: "https://outlook-dod.office365.us", outlookApp: "https://outlook-dod.office365.us", imap: "outlook-dod.office365.us", smtp: "outlook-dod.office365.us" },
  china: { login: "login.partner.microsoftonline.cn", portal: "https://portal.azure.cn", graph: "microsoftgraph.chinacloudapi.cn", outlook: "https://partner.outlook.cn", outlookApp: "https://partner.outlook.cn", imap: "partner.outlook.cn", smtp: "smtp.partner.outlook.cn" },
};

const NAMES: Record<Purpose, { resource: "graph" | "outlook"; names: string[] }> = {
  "graph-read": { resource: "graph", names: ["Mail.Read", "User.Read"] },
  "graph-send": { resource: "graph", names: ["Mail.Send", "User.Read"] },
  imap: { resource: "outlook", names: ["IMAP.AccessAsUser.All"] },
  pop: { resource: "outlook", names: ["POP.AccessAsUser.All"] },
  smtp: { resource: "outlook", names: ["SMTP.Send"] },
  ews: { resource: "outlook", names: ["EWS.AccessAsUser.All"] },
};

const prefixFor = (cloud: CloudId, r: "graph" | "outlook") => (r === "graph" ? `https://${EXPECTED[cloud].graph}` : EXPECTED[cloud].outlook);

describe("cloud profiles", () => {
  it.each(CLOUD_IDS)("%s has the reference hosts", (cloud) => {
    const p = CLOUDS[cloud];
    const e = EXPECTED[cloud];
    expect([p.id, p.loginHost, p.azurePortal, p.graphHost, p.outlookDelegatedResource, p.outlookAppResource, p.imapHost, p.popHost, p.smtpHost]).toEqual([
      cloud, e.login, e.portal, e.graph, e.outlook, e.outlookApp, e.imap, e.imap, e.smtp,
    ]);
    expect(p.personalAccounts).toBe(cloud === "global");
  });
  it("says GCC uses the worldwide hosts", () => expect(CLOUDS.gcc.description).toMatch(/worldwide hosts/));
  it("records the China login host and DoD scope disagreements", () => {
    expect(CLOUDS.china.notes.join(" ")).toContain("login.chinacloudapi.cn");
    expect(CLOUDS.dod.notes.join(" ")).toContain("https://outlook.office365.us");
  });
});

describe.each(CLOUD_IDS)("delegated scopes in %s", (cloud) => {
  it.each(PURPOSES)("%s yields its fully qualified scopes on the cloud's resource", (purpose) => {
    const { scopes, authorizeScope, resources } = delegatedScopes(cloud, [purpose]);
    const { resource, names } = NAMES[purpose];
    const words = authorizeScope.split(" ");
    expect(words.slice(0, 4)).toEqual(["openid", "profile", "email", "offline_access"]);
    expect(words.slice(4)).toEqual(names.map((n) => `${prefixFor(cloud, resource)}/${n}`));
    expect(resources).toEqual([resource]);
    for (const s of scopes.filter((x) => x.resource !== "openid")) {
      expect(s.purpose).toBe(purpose);
      expect(s.azurePermission).toEqual({
        api: resource === "graph" ? "Microsoft Graph" : "Office 365 Exchange Online",
        name: s.scope.split("/").pop(),
        type: "Delegated",
      });
    }
  });

  it("orders OIDC, then Graph, then Outlook, then extras, whatever the input order", () => {
    const { authorizeScope, resources } = delegatedScopes(cloud, ["smtp", "graph-send", "imap", "graph-read"], ["Calendars.Read"]);
    const g = `https://${EXPECTED[cloud].graph}`;
    const o = EXPECTED[cloud].outlook;
    expect(authorizeScope).toBe(
      `openid profile email offline_access ${g}/Mail.Read ${g}/User.Read ${g}/Mail.Send ${o}/IMAP.AccessAsUser.All ${o}/SMTP.Send ${g}/Calendars.Read`,
    );
    expect(resources).toEqual(["graph", "outlook"]);
  });

  it("drops extras that repeat a purpose scope and refuses invalid extras", () => {
    const g = `https://${EXPECTED[cloud].graph}`;
    expect(delegatedScopes(cloud, ["graph-read"], ["Mail.Read", `${g}/mail.read`]).authorizeScope.split(" ")).toHaveLength(6);
    expect(() => delegatedScopes(cloud, ["graph-read"], [".default"])).toThrow(/cannot be combined/);
  });

  it("tokenScopesFor lists one resource and ends with offline_access", () => {
    const all = [...PURPOSES];
    for (const r of ["graph", "outlook"] as const) {
      const words = tokenScopesFor(cloud, all, r).split(" ");
      expect(words.at(-1)).toBe("offline_access");
      expect(words.slice(0, -1).every((w) => w.startsWith(`${prefixFor(cloud, r)}/`))).toBe(true);
    }
    expect(tokenScopesFor(cloud, ["imap", "pop"], "outlook")).toBe(`${EXPECTED[cloud].outlook}/IMAP.AccessAsUser.All ${EXPECTED[cloud].outlook}/POP.AccessAsUser.All offline_access`);
    expect(() => tokenScopesFor(cloud, ["imap"], "graph")).toThrow(/Graph/);
    expect(() => tokenScopesFor(cloud, ["graph-read"], "outlook")).toThrow(/Exchange Online/);
  });

  it("appOnlyScope uses .default on the Graph host and the Outlook app resource", () => {
    expect(appOnlyScope(cloud, "graph")).toBe(`https://${EXPECTED[cloud].graph}/.default`);
    expect(appOnlyScope(cloud, "outlook")).toBe(`${EXPECTED[cloud].outlookApp}/.default`);
  });
});

describe("validateExtraScope", () => {
  it("qualifies a bare Graph permission with the cloud's Graph host", () => {
    const r = validateExtraScope("gcc-high", " Calendars.Read ");
    expect(r).toMatchObject({ ok: true, info: { scope: "https://graph.microsoft.us/Calendars.Read", resource: "graph", azurePermission: { api: "Microsoft Graph", name: "Calendars.Read" } } });
    expect(validateExtraScope("global", "User-LifeCycleInfo.Read.All").ok).toBe(true);
  });
  it.each([
    ["global", "https://graph.microsoft.com/Mail.ReadWrite", "graph"],
    ["global", "https://outlook.office.com/EAS.AccessAsUser.All", "outlook"],
    ["global", "https://outlook.office365.com/IMAP.AccessAsUser.All", "outlook"],
    ["gcc", "https://graph.microsoft.com/Mail.ReadWrite", "graph"],
    ["gcc-high", "https://outlook.office365.us/IMAP.AccessAsUser.All", "outlook"],
    ["dod", "https://dod-graph.microsoft.us/Mail.Read.Shared", "graph"],
    ["dod", "https://outlook.office365.us/IMAP.AccessAsUser.All", "outlook"],
    ["china", "https://partner.outlook.cn/SMTP.Send", "outlook"],
  ] as const)("accepts %s %s", (cloud, scope, resource) => {
    expect(validateExtraScope(cloud, scope)).toMatchObject({ ok: true, info: { scope, resource } });
  });
  it.each([
    ["gcc-high", "https://graph.microsoft.com/Mail.Read", /belongs to the Global \(worldwide\) and US Government GCC clouds.*GCC High.*https:\/\/graph\.microsoft\.us\/Mail\.Read/],
    ["global", "https://graph.microsoft.us/Mail.Read", /US Government GCC High cloud.*https:\/\/graph\.microsoft\.com\/Mail\.Read/],
    ["global", "https://partner.outlook.cn/IMAP.AccessAsUser.All", /China.*https:\/\/outlook\.office\.com\/IMAP\.AccessAsUser\.All/],
    ["gcc-high", "https://outlook-dod.office365.us/SMTP.Send", /DoD/],
  ] as const)("names the cloud a foreign host belongs to (%s, %s)", (cloud, scope, message) => {
    const r = validateExtraScope(cloud, scope);
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.message).toMatch(message);
  });
  it.each([
    [".default", /cannot be combined/],
    ["https://graph.microsoft.com/.default", /cannot be combined/],
    ["Mail.Read Mail.Send", /spaces/],
    ["", /Enter a permission/],
    ["offline_access", /always requested/],
    ["not a scope!", /spaces/],
    ["Mail", /not a Microsoft permission name/],
    ["Mail.Read;drop", /not a Microsoft permission name/],
    ["https://example.com/Mail.Read", /not a Microsoft Graph or Exchange Online host/],
    ["http://graph.microsoft.com/Mail.Read", /not a scope/],
    ["api://1234/access", /not a scope/],
    ["IMAP.AccessAsUser.All", /Exchange Online permission.*https:\/\/outlook\.office\.com\/IMAP\.AccessAsUser\.All/],
    ["https://graph.microsoft.com/SMTP.Send", /Exchange Online permission/],
    ["https://outlook.office365.com/IMAP.AccessAsApp", /application \(app-only\) permission/],
  ])("refuses %j", (scope, message) => {
    const r = validateExtraScope("global", scope);
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.message).toMatch(message);
  });
});
