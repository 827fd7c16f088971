import { constants } from "node:os";
import { describe, expect, it } from "vitest";
import { GraphError } from "@microsoft/microsoft-graph-client";
import { classifyGraphError } from "./graph";
import { classifyImapError } from "./imap";
import { classifyPopError, PopReplyError, popResponseCode } from "./pop";
import { networkFailure, type ProbeEndpoint } from "./probe-result";
import { classifySmtpError } from "./smtp";

// The probes classify by error codes and reply codes. Every error here carries a message that
// would mislead a text matcher; none of them may change the outcome.
const LIES = "AUTHENTICATE failed. timed out. 535 5.7.139 Request is throttled";
const at = (protocol: ProbeEndpoint["protocol"]): ProbeEndpoint => ({ protocol, host: "outlook.office365.com", port: protocol === "pop" ? 995 : 993 });
const err = (props: Record<string, unknown>) => Object.assign(new Error(LIES), props);

describe("network failures by Node's codes", () => {
  it.each([
    ["ETIMEDOUT", "server_timeout", "transient"],
    ["ECONNREFUSED", "server_unreachable", "transient"],
    ["EHOSTUNREACH", "server_unreachable", "transient"],
    ["ECONNRESET", "connection_lost", "transient"],
    ["ENOTFOUND", "host_not_found", "misconfigured"],
    ["DEPTH_ZERO_SELF_SIGNED_CERT", "tls_failed", "misconfigured"],
    ["ERR_TLS_CERT_ALTNAME_INVALID", "tls_failed", "misconfigured"],
  ])("%s → %s (%s), naming protocol, host and port", (code, diagnosis, cls) => {
    const f = networkFailure(at("imap"), err({ code }))!;
    expect(f).toMatchObject({ code: diagnosis, class: cls });
    expect(f.detail).toContain("IMAP outlook.office365.com:993");
  });

  it("sees through nodemailer's relabelling by Node's errno", () => {
    // nodemailer sets code ECONNECTION on a refused connection; Node's errno still says ECONNREFUSED.
    const refused = err({ code: "ECONNECTION", errno: -constants.errno.ECONNREFUSED, syscall: "connect" });
    expect(classifySmtpError({ protocol: "smtp", host: "smtp.office365.com", port: 587 }, refused)).toMatchObject({ code: "server_unreachable", detail: expect.stringContaining("SMTP smtp.office365.com:587") });
  });

  it("an error without a code is unknown, not guessed from its words", () => {
    expect(networkFailure(at("imap"), new Error("connect ETIMEDOUT 1.2.3.4:993"))).toBeUndefined();
    expect(classifyImapError(at("imap"), new Error(LIES), { signedIn: false })).toMatchObject({ code: "unknown" });
  });
});

describe("IMAP by imapflow's error properties", () => {
  it("authenticationFailed is a refused sign-in, with the server's reply", () => {
    const f = classifyImapError(at("imap"), err({ authenticationFailed: true, responseStatus: "NO", responseText: "AUTHENTICATE failed.", response: "2 NO AUTHENTICATE failed." }), { signedIn: false });
    expect(f).toMatchObject({ code: "imap_auth_failed", class: "misconfigured", reply: "2 NO AUTHENTICATE failed." });
  });

  it("RFC 5530 codes decide: [UNAVAILABLE] is busy, [AUTHENTICATIONFAILED] a refused sign-in", () => {
    expect(classifyImapError(at("imap"), err({ responseStatus: "NO", serverResponseCode: "UNAVAILABLE", responseText: "AUTHENTICATE failed." }), { signedIn: false })).toMatchObject({ code: "imap_unavailable", class: "transient" });
    expect(classifyImapError(at("imap"), err({ responseStatus: "NO", serverResponseCode: "AUTHENTICATIONFAILED", responseText: "ok" }), { signedIn: false })).toMatchObject({ code: "imap_auth_failed" });
    expect(classifyImapError(at("imap"), err({ code: "ETHROTTLE", responseStatus: "BAD" }), { signedIn: true })).toMatchObject({ code: "imap_unavailable" });
  });

  it("BAD after a good sign-in is 'authenticated but not connected'; NO is a refused command", () => {
    expect(classifyImapError(at("imap"), err({ responseStatus: "BAD", responseText: "anything" }), { signedIn: true })).toMatchObject({ code: "imap_not_connected", reply: "BAD anything" });
    expect(classifyImapError(at("imap"), err({ responseStatus: "NO", responseText: "anything" }), { signedIn: true })).toMatchObject({ code: "imap_command_failed" });
  });

  it("imapflow's own timeout and connection codes", () => {
    expect(classifyImapError(at("imap"), err({ code: "GREETING_TIMEOUT" }), { signedIn: false })).toMatchObject({ code: "server_timeout" });
    expect(classifyImapError(at("imap"), err({ code: "NoConnection" }), { signedIn: true })).toMatchObject({ code: "connection_lost" });
  });
});

describe("POP by stage and RFC 2449 response codes", () => {
  it.each([
    ["greeting", "-ERR Server Unavailable. 21", "pop_unavailable"],
    ["auth", "-ERR Authentication failure: unknown user name or bad password.", "pop_auth_failed"],
    ["auth", "-ERR [SYS/TEMP] AUTHENTICATE failed", "pop_unavailable"],
    ["auth", "-ERR [IN-USE] ok", "pop_unavailable"],
    ["stat", "-ERR [AUTH] timed out", "pop_auth_failed"],
    ["stat", "-ERR Authentication failure", "pop_error"],
  ] as const)("%s: %s → %s", (stage, reply, code) => {
    expect(classifyPopError(at("pop"), new PopReplyError(stage, reply))).toMatchObject({ code, reply });
  });

  it("reads the bracketed code", () => {
    expect(popResponseCode("-ERR [LOGIN-DELAY] wait")).toBe("LOGIN-DELAY");
    expect(popResponseCode("-ERR no code")).toBeUndefined();
  });
});

describe("SMTP by nodemailer's codes and the reply's codes", () => {
  const smtp: ProbeEndpoint = { protocol: "smtp", host: "smtp.office365.com", port: 587 };
  it("the reply decides, the message does not", () => {
    expect(classifySmtpError(smtp, err({ code: "EAUTH", response: "535 5.7.3 Authentication unsuccessful", responseCode: 535, command: "AUTH XOAUTH2" }))).toMatchObject({ code: "smtp_auth_failed", reply: "535 5.7.3 Authentication unsuccessful" });
    expect(classifySmtpError(smtp, err({ code: "EAUTH", response: "454 4.7.0 Temporary authentication failure", responseCode: 454 }))).toMatchObject({ code: "smtp_temporary", class: "transient" });
    expect(classifySmtpError(smtp, err({ code: "ECONNECTION", response: "421 4.7.0 Try again later" }))).toMatchObject({ code: "smtp_temporary" });
  });
  it("without a reply, nodemailer's code", () => {
    expect(classifySmtpError(smtp, err({ code: "ETIMEDOUT" }))).toMatchObject({ code: "server_timeout" });
    expect(classifySmtpError(smtp, err({ code: "ETLS" }))).toMatchObject({ code: "tls_failed" });
    expect(classifySmtpError(smtp, err({ code: "EAUTH" }))).toMatchObject({ code: "smtp_auth_failed" });
  });
});

describe("Graph by status and error code", () => {
  const graph: ProbeEndpoint = { protocol: "graph", host: "graph.microsoft.com", port: 443 };
  const graphError = (status: number, code: string | null, headers: Record<string, string> = {}) => Object.assign(new GraphError(status, LIES), { code, headers: new Headers(headers) });

  it("keeps the code and Graph's ids; the catalog entry gives the class", () => {
    const f = classifyGraphError(graph, graphError(403, "ErrorAccessDenied", { "request-id": "r-1", "client-request-id": "c-1", date: "Tue, 01 Dec 2026 10:00:00 GMT" }));
    expect(f).toMatchObject({ code: "graph:ErrorAccessDenied", class: "misconfigured", ids: { requestId: "r-1", clientRequestId: "c-1", date: "Tue, 01 Dec 2026 10:00:00 GMT" } });
    expect(f.reply).toContain("403 ErrorAccessDenied");
  });

  it("classes unknown codes by status, a throttle and a claims challenge by their headers", () => {
    expect(classifyGraphError(graph, graphError(503, "SomethingNew"))).toMatchObject({ code: "graph:SomethingNew", class: "transient" });
    expect(classifyGraphError(graph, graphError(500, null))).toMatchObject({ code: "graph_unavailable", class: "transient" });
    expect(classifyGraphError(graph, graphError(429, "TooManyRequests", { "retry-after": "7" }))).toMatchObject({ code: "graph_throttled", class: "transient", retryAfterSeconds: 7 });
    const claims = Buffer.from('{"access_token":{"nbf":{"essential":true}}}').toString("base64");
    expect(classifyGraphError(graph, graphError(401, "InvalidAuthenticationToken", { "www-authenticate": `Bearer realm="", error="insufficient_claims", claims="${claims}"` }))).toMatchObject({ code: "graph_claims_challenge", class: "needs_reconsent", claims: '{"access_token":{"nbf":{"essential":true}}}' });
  });

  it("no answer at all is a network failure by the fetch error's cause", () => {
    expect(classifyGraphError(graph, new GraphError(-1, "fetch failed"), Object.assign(new Error(LIES), { code: "ECONNREFUSED" }))).toMatchObject({ code: "server_unreachable", detail: expect.stringContaining("GRAPH graph.microsoft.com:443") });
  });
});
