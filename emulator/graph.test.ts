import { describe, expect, it } from "vitest";
import { USERS, delegatedToken, fault, helpdeskToken } from "./mail-test-support";
import { HELPDESK, NORTHWIND_MAIL, SEED, USGOV, admin, setupTestEmulator, token } from "./test-support";

const emu = setupTestEmulator();

const GRAPH = "graph.microsoft.com";

async function graph(path: string, accessToken: string | undefined, init: RequestInit & { host?: string } = {}) {
  const headers = new Headers(init.headers);
  if (accessToken !== undefined) headers.set("authorization", `Bearer ${accessToken}`);
  const res = await fetch(`${emu.http}/${init.host ?? GRAPH}/v1.0${path}`, { ...init, headers });
  const text = await res.text();
  // eslint-disable-next-line @typescript-eslint/no-explicit-any -- Graph bodies are read loosely; the expectations assert shapes
  const body: any = text ? JSON.parse(text) : undefined;
  return { status: res.status, headers: res.headers, body };
}

const READ = "User.Read Mail.Read";
const INBOX_TOP1 = "/me/mailFolders/inbox/messages?$top=1&$select=id,subject,receivedDateTime,from";

describe("Graph /me and messages", () => {
  it("answers /me and reads one inbox message with $top and $select", async () => {
    const at = await delegatedToken(emu, USERS.adele.id, READ);
    const me = await graph("/me", at);
    expect(me.status).toBe(200);
    expect(me.body).toMatchObject({ id: USERS.adele.id, userPrincipalName: USERS.adele.upn, displayName: "Adele Vance", givenName: "Adele", surname: "Vance", mail: USERS.adele.upn });
    expect(me.headers.get("request-id")).toMatch(/^[0-9a-f-]{36}$/);

    const list = await graph(INBOX_TOP1, at, { headers: { "client-request-id": "my-request-1" } });
    expect(list.status).toBe(200);
    expect(list.headers.get("client-request-id")).toBe("my-request-1");
    expect(list.body.value).toHaveLength(1);
    const [msg] = list.body.value;
    expect(Object.keys(msg).sort()).toEqual(["@odata.etag", "from", "id", "receivedDateTime", "subject"]);
    expect(msg.subject).toBe("Welcome to your new mailbox");
    expect(msg.from).toEqual({ emailAddress: { name: "Microsoft 365", address: "no-reply@microsoft.example" } });
    expect(list.body["@odata.nextLink"]).toContain("$skip=1");
    expect(list.body["@odata.context"]).toContain(`users('${USERS.adele.id}')/mailFolders('inbox')/messages(id,subject,receivedDateTime,from)`);

    const next = await fetch(list.body["@odata.nextLink"].replace(emu.httpsUrl, emu.http), { headers: { authorization: `Bearer ${at}` } });
    const page2 = (await next.json()) as { value: { subject: string }[] };
    expect(page2.value.map((m) => m.subject)).toEqual(["Quarterly planning notes"]);

    const all = await graph("/me/messages", at);
    expect(all.body.value).toHaveLength(3);
    expect(all.body.value[0]).toHaveProperty("body");
    const folder = await graph("/me/mailFolders('Inbox')", at);
    expect(folder.body).toMatchObject({ displayName: "Inbox", totalItemCount: 3, unreadItemCount: 2 });
  });

  it("reads another mailbox through /users/{upn} as the app (roles Mail.Read)", async () => {
    const at = await helpdeskToken(emu, "https://graph.microsoft.com");
    const res = await graph(`/users/${USERS.megan.upn}/mailFolders/inbox/messages?$top=1`, at);
    expect(res.status).toBe(200);
    expect(res.body.value).toHaveLength(1);
    const me = await graph("/me", at);
    expect(me.status).toBe(400);
    expect(me.body.error.message).toBe("/me request is only valid with delegated authentication flow.");
  });

  it("refuses an Outlook token with 401 Invalid audience, in Graph's error shape", async () => {
    const at = await delegatedToken(emu, USERS.adele.id, "https://outlook.office.com/IMAP.AccessAsUser.All");
    const res = await graph("/me", at, { headers: { "client-request-id": "cr-1" } });
    expect(res.status).toBe(401);
    expect(res.body).toEqual({
      error: {
        code: "InvalidAuthenticationToken",
        message: "Access token validation failure. Invalid audience.",
        innerError: { date: expect.stringMatching(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d$/), "request-id": res.headers.get("request-id"), "client-request-id": "cr-1" },
      },
    });
    expect(res.headers.get("www-authenticate")).toContain('authorization_uri="https://login.microsoftonline.com/common/oauth2/authorize"');
    expect((await graph("/me", undefined)).body.error.message).toBe("Access token is empty.");
    expect((await graph("/me", "garbage")).body.error.code).toBe("InvalidAuthenticationToken");
  });

  it("refuses an expired token once the emulator clock moves past exp", async () => {
    const at = await delegatedToken(emu, USERS.adele.id, READ);
    await admin(emu.http, "POST", "/clock", { advanceSeconds: 2 * 3600 });
    const res = await graph("/me", at);
    expect(res.status).toBe(401);
    expect(res.body.error).toMatchObject({ code: "InvalidAuthenticationToken", message: "Access token has expired or is not yet valid." });
  });

  it("answers 403 ErrorAccessDenied without a mail scope, and Authorization_RequestDenied for /me without User.Read", async () => {
    const at = await delegatedToken(emu, USERS.adele.id, "User.Read");
    const res = await graph(INBOX_TOP1, at);
    expect(res.status).toBe(403);
    expect(res.body.error).toMatchObject({ code: "ErrorAccessDenied", message: "Access is denied. Check credentials and try again." });
    const mailOnly = await delegatedToken(emu, USERS.adele.id, "Mail.Read");
    expect((await graph("/me", mailOnly)).body.error.code).toBe("Authorization_RequestDenied");
    expect((await graph(INBOX_TOP1, mailOnly)).status).toBe(200);
  });

  it("opens a shared mailbox for a delegate with Mail.Read.Shared, and refuses non-delegates and Mail.Read alone", async () => {
    const path = `/users/${USERS.support.upn}/mailFolders('Inbox')/messages?$top=1&$select=id,subject`;
    const megan = await delegatedToken(emu, USERS.megan.id, "User.Read Mail.Read.Shared");
    const ok = await graph(path, megan);
    expect(ok.status).toBe(200);
    expect(ok.body.value[0].subject).toBe("Welcome to your new mailbox");
    expect((await graph(`/users/${USERS.support.id}/messages`, megan)).status).toBe(200);

    const adele = await delegatedToken(emu, USERS.adele.id, "User.Read Mail.Read.Shared");
    const denied = await graph(path, adele);
    expect(denied.status).toBe(403);
    expect(denied.body.error.code).toBe("ErrorAccessDenied");

    const meganMailRead = await delegatedToken(emu, USERS.megan.id, READ);
    expect((await graph(path, meganMailRead)).body.error.code).toBe("ErrorAccessDenied");
    // Another user's own mailbox is never open to a delegated token.
    expect((await graph(`/users/${USERS.lee.upn}/messages`, megan)).status).toBe(403);
  });

  it("answers 404 ErrorInvalidUser for an unknown user or one of another tenant", async () => {
    const at = await delegatedToken(emu, USERS.adele.id, "User.Read Mail.Read.Shared");
    for (const who of ["nobody@contoso.onmicrosoft.com", USERS.alex.upn]) {
      const res = await graph(`/users/${who}/messages`, at);
      expect(res.status).toBe(404);
      expect(res.body.error).toMatchObject({ code: "ErrorInvalidUser", message: `The requested user '${who}' is invalid.` });
    }
  });

  it("answers 404 MailboxNotEnabledForRESTAPI when the tenant has no Exchange Online", async () => {
    const at = await delegatedToken(emu, USERS.adele.id, READ);
    await admin(emu.http, "PATCH", "/tenants/contoso.onmicrosoft.com", { exchangeOnline: false });
    const res = await graph(INBOX_TOP1, at);
    expect(res.status).toBe(404);
    expect(res.body.error).toMatchObject({ code: "MailboxNotEnabledForRESTAPI", message: "The mailbox is either inactive, soft-deleted, or is hosted on-premise." });
    expect((await graph("/me", at)).status).toBe(200);
  });

  it("serves US Gov Graph to a GCC High tenant and refuses its token on the global host", async () => {
    const form = { grant_type: "client_credentials", client_id: NORTHWIND_MAIL.clientId, client_secret: NORTHWIND_MAIL.secret, scope: "https://graph.microsoft.us/.default" };
    const res = await token(emu.http, form, { host: USGOV, tenant: SEED.northwindId });
    const at = String(res.body.access_token);
    const ok = await graph("/users/nestor@northwind.onmicrosoft.us/messages?$top=2", at, { host: "graph.microsoft.us" });
    expect(ok.status).toBe(200);
    expect(ok.body.value).toHaveLength(2);
    const wrong = await graph("/users/nestor@northwind.onmicrosoft.us/messages", at);
    expect(wrong.status).toBe(401);
    expect(wrong.body.error.message).toContain("Invalid audience");
  });
});

describe("Graph sendMail", () => {
  const message = (to: string) => ({
    message: { subject: "Mailgrant test", body: { contentType: "Text", content: "It works." }, toRecipients: [{ emailAddress: { address: to } }] },
    saveToSentItems: true,
  });
  const post = (path: string, at: string, body: unknown) =>
    graph(path, at, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify(body) });

  it("needs Mail.Send, answers 202 and records the message in the outbox", async () => {
    const readOnly = await delegatedToken(emu, USERS.adele.id, READ);
    expect((await post("/me/sendMail", readOnly, message("someone@example.com"))).status).toBe(403);

    const at = await delegatedToken(emu, USERS.adele.id, "Mail.Send Mail.Read");
    const res = await post("/me/sendMail", at, message(USERS.megan.upn));
    expect(res.status).toBe(202);
    expect(res.body).toBeUndefined();
    const outbox = await admin(emu.http, "GET", "/outbox");
    expect(outbox.body).toEqual([
      expect.objectContaining({ via: "graph", mailbox: USERS.adele.upn, sentBy: USERS.adele.upn, from: USERS.adele.upn, to: [USERS.megan.upn], subject: "Mailgrant test", deliveredTo: [USERS.megan.upn] }),
    ]);
    const sent = await graph("/me/mailFolders/sentitems/messages", at);
    expect(sent.body.value.map((m: { subject: string }) => m.subject)).toEqual(["Mailgrant test"]);
  });

  it("sends as a shared mailbox for a delegate with Mail.Send.Shared, and validates recipients", async () => {
    const at = await delegatedToken(emu, USERS.megan.id, "Mail.Send.Shared");
    expect((await post(`/users/${USERS.support.upn}/sendMail`, at, message("customer@example.com"))).status).toBe(202);
    const outbox = await admin(emu.http, "GET", "/outbox?mailbox=support@contoso.onmicrosoft.com");
    expect(outbox.body).toEqual([expect.objectContaining({ mailbox: USERS.support.upn, sentBy: USERS.megan.upn, from: USERS.support.upn })]);

    const none = await post(`/users/${USERS.support.upn}/sendMail`, at, { message: { subject: "x" } });
    expect(none.status).toBe(400);
    expect(none.body.error.code).toBe("ErrorInvalidRecipients");
    const mime = await graph("/me/sendMail", at, { method: "POST", headers: { "content-type": "text/plain" }, body: "not base64!" });
    expect(mime.body.error.code).toBe("ErrorMimeContentInvalidBase64String");
  });
});

describe("Graph faults", () => {
  it("throttles with 429 and Retry-After, then recovers", async () => {
    const at = await delegatedToken(emu, USERS.adele.id, READ);
    await fault(emu, { endpoint: "graph", status: 429, retryAfterSeconds: 7, upn: USERS.adele.upn });
    const res = await graph(INBOX_TOP1, at);
    expect(res.status).toBe(429);
    expect(res.headers.get("retry-after")).toBe("7");
    expect(res.body.error).toMatchObject({ code: "ApplicationThrottled", message: "Application is over its MailboxConcurrency limit." });
    expect(res.body.error.innerError["request-id"]).toBe(res.headers.get("request-id"));
    expect((await graph(INBOX_TOP1, at)).status).toBe(200);
  });

  it("matches faults by mailbox, app and tenant, and answers 503 after a delay", async () => {
    const adele = await delegatedToken(emu, USERS.adele.id, READ);
    await fault(emu, { endpoint: "graph", status: 503, upn: USERS.megan.upn });
    expect((await graph("/me", adele)).status).toBe(200);
    await fault(emu, { endpoint: "graph", status: 503, delayMs: 200, clientId: SEED.clientId, tenant: "contoso.onmicrosoft.com" });
    const res = await graph("/me", adele);
    expect(res.status).toBe(503);
    expect(res.body.error.code).toBe("serviceNotAvailable");
    // The delayed 503 fired for Adele's request (app and tenant matched); Megan's fault waits for Megan.
    expect(((await admin(emu.http, "GET", "/faults")).body as unknown as { upn?: string }[]).map((f) => f.upn)).toEqual([USERS.megan.upn]);
  });

  it("issues a claims challenge", async () => {
    const at = await delegatedToken(emu, USERS.adele.id, READ);
    await fault(emu, { endpoint: "graph", claimsChallenge: true });
    const res = await graph("/me", at);
    expect(res.status).toBe(401);
    expect(res.body.error.code).toBe("InvalidAuthenticationToken");
    const header = res.headers.get("www-authenticate") ?? "";
    const challenge = /^Bearer realm="", authorization_uri="https:\/\/login\.microsoftonline\.com\/common\/oauth2\/authorize", error="insufficient_claims", claims="([^"]+)"$/;
    expect(header).toMatch(challenge);
    const claims = JSON.parse(Buffer.from(challenge.exec(header)![1]!, "base64").toString("utf8"));
    expect(claims).toEqual({ access_token: { nbf: { essential: true, value: expect.stringMatching(/^\d{10}$/) } } });
  });

  it("drops the connection", async () => {
    const at = await helpdeskToken(emu, "https://graph.microsoft.com");
    await fault(emu, { endpoint: "graph", drop: true, clientId: HELPDESK.clientId });
    await expect(fetch(`${emu.http}/${GRAPH}/v1.0/users/${USERS.megan.upn}/messages`, { headers: { authorization: `Bearer ${at}` } })).rejects.toThrow(TypeError);
    expect((await graph(`/users/${USERS.megan.upn}/messages`, at)).status).toBe(200);
  });

  it("validates Graph fault bodies", async () => {
    expect((await admin(emu.http, "POST", "/faults", { endpoint: "graph", status: 418 })).status).toBe(400);
    expect((await admin(emu.http, "POST", "/faults", { endpoint: "graph", code: 50173 })).status).toBe(400);
    expect((await admin(emu.http, "POST", "/faults", { endpoint: "graph" })).status).toBe(400);
    expect((await admin(emu.http, "POST", "/faults", { endpoint: "token", status: 418 })).status).toBe(400);
    const ok = await admin(emu.http, "POST", "/faults", { endpoint: "graph", claimsChallenge: true, times: 2 });
    expect(ok.body).toMatchObject({ endpoint: "graph", claimsChallenge: true, status: 401, remaining: 2 });
  });
});
