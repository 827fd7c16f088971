import path from "node:path";
import { describe, expect, it } from "vitest";
import { demoEnvironment, usesBuiltinEmulator, type BuiltinEmulator } from "./demo-env";

const EMU: BuiltinEmulator = {
  httpsPort: 3100,
  httpPort: 3101,
  imapPort: 3102,
  popPort: 3103,
  smtpPort: 3104,
  certPath: "/data/emulator/tls/emulator-cert.pem",
  portalClientId: "5a11c0de-0000-4000-8000-000000000100",
  portalSecret: "Mgp8Q~Demo.Secret_Mailgrant-Portal~0001x",
};

describe("demo mode environment", () => {
  it("points everything at the emulator when the caller set nothing", () => {
    const { env, notes, caBundle } = demoEnvironment({}, EMU, "/data");
    expect(env).toEqual({
      AUTH_MICROSOFT_ENTRA_ID_ID: EMU.portalClientId,
      AUTH_MICROSOFT_ENTRA_ID_SECRET: EMU.portalSecret,
      AUTH_MICROSOFT_ENTRA_ID_ISSUER: "https://localhost:3100/login.microsoftonline.com/organizations/v2.0",
      MICROSOFT_ENDPOINT_BASE: "https://localhost:3100",
      MICROSOFT_BROWSER_ENDPOINT_BASE: "http://localhost:3101",
      MICROSOFT_EMULATOR_ADMIN_URL: "http://localhost:3101/_emulator",
      MICROSOFT_MAIL_HOST: "localhost",
      MICROSOFT_IMAP_PORT: "3102",
      MICROSOFT_POP_PORT: "3103",
      MICROSOFT_SMTP_PORT: "3104",
      MAILGRANT_SMTP_URL: "outbox",
      MAILGRANT_WEBHOOKS_ALLOW_LOCAL: "1",
      NODE_EXTRA_CA_CERTS: EMU.certPath,
    });
    expect(notes).toEqual([]);
    expect(caBundle).toBeUndefined();
  });

  it("keeps the caller's browser base, mail host and ports, and says so", () => {
    const caller = { MICROSOFT_BROWSER_ENDPOINT_BASE: "http://pages.test:8080", MICROSOFT_MAIL_HOST: "imap.test", MICROSOFT_IMAP_PORT: "1993" };
    const { env, notes } = demoEnvironment(caller, EMU, "/data");
    // Not overwritten: the portal's env starts from the caller's, so leaving a name out keeps the caller's value.
    for (const name of ["MICROSOFT_BROWSER_ENDPOINT_BASE", "MICROSOFT_MAIL_HOST", "MICROSOFT_IMAP_PORT", "MICROSOFT_POP_PORT", "MICROSOFT_SMTP_PORT"]) {
      expect(env, name).not.toHaveProperty(name);
    }
    expect(env.MICROSOFT_ENDPOINT_BASE).toBe("https://localhost:3100");
    expect(notes.join("\n")).toMatch(/MICROSOFT_BROWSER_ENDPOINT_BASE=http:\/\/pages\.test:8080 \(kept/);
    expect(notes.join("\n")).toMatch(/MICROSOFT_MAIL_HOST=imap\.test \(kept/);
  });

  it("keeps caller ports on the emulator's mail host", () => {
    const { env } = demoEnvironment({ MICROSOFT_SMTP_PORT: "2525" }, EMU, "/data");
    expect(env).toMatchObject({ MICROSOFT_MAIL_HOST: "localhost", MICROSOFT_IMAP_PORT: "3102", MICROSOFT_POP_PORT: "3103" });
    expect(env).not.toHaveProperty("MICROSOFT_SMTP_PORT");
  });

  it("joins the caller's NODE_EXTRA_CA_CERTS and the emulator's certificate into one bundle in the data folder", () => {
    const { env, caBundle } = demoEnvironment({ NODE_EXTRA_CA_CERTS: "/etc/ssl/corp-ca.pem" }, EMU, "/data");
    const bundle = path.join("/data", "emulator", "ca-bundle.pem");
    expect(env.NODE_EXTRA_CA_CERTS).toBe(bundle);
    expect(caBundle).toEqual({ path: bundle, sources: ["/etc/ssl/corp-ca.pem", EMU.certPath] });
    // Already the emulator's certificate: nothing to join.
    expect(demoEnvironment({ NODE_EXTRA_CA_CERTS: EMU.certPath }, EMU, "/data").caBundle).toBeUndefined();
  });

  it("keeps MAILGRANT_SMTP_URL when set", () => {
    expect(demoEnvironment({ MAILGRANT_SMTP_URL: "smtp://u:p@mail.test:587" }, EMU, "/data").env).not.toHaveProperty("MAILGRANT_SMTP_URL");
    expect(demoEnvironment({ MAILGRANT_SMTP_URL: "log" }, EMU, "/data").env).not.toHaveProperty("MAILGRANT_SMTP_URL");
  });

  it("keeps MAILGRANT_WEBHOOKS_ALLOW_LOCAL when set, even to 0", () => {
    expect(demoEnvironment({ MAILGRANT_WEBHOOKS_ALLOW_LOCAL: "0" }, EMU, "/data").env).not.toHaveProperty("MAILGRANT_WEBHOOKS_ALLOW_LOCAL");
  });

  it("does not use the built-in emulator when MICROSOFT_ENDPOINT_BASE points elsewhere", () => {
    expect(usesBuiltinEmulator({})).toBe(true);
    expect(usesBuiltinEmulator({ MICROSOFT_ENDPOINT_BASE: "  " })).toBe(true);
    expect(usesBuiltinEmulator({ MICROSOFT_ENDPOINT_BASE: "https://idp.test:9443" })).toBe(false);
  });
});
