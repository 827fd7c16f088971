import { mkdtemp, readFile } from "node:fs/promises";
import { X509Certificate } from "node:crypto";
import { tmpdir } from "node:os";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { parseEnv } from "@/lib/env";
import { bridgeConfig, describeBridge, describeListenFailure } from "./config";
import { bridgeCertificate } from "./certificate";

const KEYS = `k1:${Buffer.alloc(32, 1).toString("base64")}`;
const PROD = { NODE_ENV: "production", AUTH_SECRET: "x".repeat(32), AUTH_MICROSOFT_ENTRA_ID_ID: "5a11c0de-0000-4000-8000-000000000100", AUTH_MICROSOFT_ENTRA_ID_SECRET: "s", MAILGRANT_ENCRYPTION_KEYS: KEYS };

describe("mail bridge configuration", () => {
  it("demo and development: on, ports derived from PORT, a self-signed certificate in the data folder", () => {
    const c = bridgeConfig(parseEnv({ NODE_ENV: "production", MAILGRANT_DEMO: "1", PORT: "4000" }), "/data");
    expect(c).toEqual({ enabled: true, ports: { smtp: 4025, smtps: 4065, imap: 4043, imaps: 4093, pop3s: 4095 }, tls: { selfSigned: "/data/bridge-tls" } });
    expect(bridgeConfig(parseEnv({ MAILGRANT_BRIDGE_IMAP_PORT: "off", MAILGRANT_BRIDGE_SMTP_PORT: "2587" }), "/d")).toMatchObject({ ports: { smtp: 2587, smtps: 3065, imaps: 3093, pop3s: 3095 } });
  });

  it("production: the protocols' own ports with the configured certificate; off without one unless asked for", () => {
    expect(bridgeConfig(parseEnv({ ...PROD, MAILGRANT_BRIDGE_TLS_CERT: "/etc/c.pem", MAILGRANT_BRIDGE_TLS_KEY: "/etc/k.pem" }), "/d")).toEqual({
      enabled: true,
      ports: { smtp: 587, smtps: 465, imap: 143, imaps: 993, pop3s: 995 },
      tls: { certPath: "/etc/c.pem", keyPath: "/etc/k.pem" },
    });
    expect(bridgeConfig(parseEnv(PROD), "/d")).toMatchObject({ enabled: false, why: expect.stringContaining("MAILGRANT_BRIDGE_TLS_CERT") });
    expect(bridgeConfig(parseEnv({ MAILGRANT_BRIDGE: "off" }), "/d")).toMatchObject({ enabled: false });
    const allOff = Object.fromEntries(["SMTP", "SMTPS", "IMAP", "IMAPS", "POP3S"].map((p) => [`MAILGRANT_BRIDGE_${p}_PORT`, "off"]));
    expect(bridgeConfig(parseEnv(allOff), "/d")).toEqual({ enabled: false, why: expect.stringMatching(/^every listener's port is "off": set one of MAILGRANT_BRIDGE_SMTP_PORT, .* to a port to run it$/) });
  });

  it("bad values stop the process naming the variable and what it expects", () => {
    expect(() => parseEnv({ MAILGRANT_BRIDGE_SMTP_PORT: "70000" })).toThrow(/MAILGRANT_BRIDGE_SMTP_PORT must be a port between 1 and 65535/);
    expect(() => parseEnv({ MAILGRANT_BRIDGE_IMAPS_PORT: "imap" })).toThrow(/MAILGRANT_BRIDGE_IMAPS_PORT must be a port number \(IMAP with implicit TLS, e.g. 993\) or "off"/);
    expect(() => parseEnv({ MAILGRANT_BRIDGE_TLS_CERT: "/c.pem" })).toThrow(/MAILGRANT_BRIDGE_TLS_KEY is required with MAILGRANT_BRIDGE_TLS_CERT/);
    expect(() => parseEnv({ ...PROD, MAILGRANT_BRIDGE: "on" })).toThrow(/MAILGRANT_BRIDGE_TLS_CERT is required in production with MAILGRANT_BRIDGE=on/);
    expect(() => parseEnv({ MAILGRANT_BRIDGE: "yes" })).toThrow(/MAILGRANT_BRIDGE must be "on" or "off"/);
    expect(() => parseEnv({ MAILGRANT_BRIDGE_PROXY_FROM: "10.0.0.0/8, lb.internal" })).toThrow(/MAILGRANT_BRIDGE_PROXY_FROM must list the load balancers' IP addresses or CIDR ranges, e.g. 10.0.0.0\/8: "lb.internal" is not/);
    expect(bridgeConfig(parseEnv({ MAILGRANT_BRIDGE_PROXY_FROM: "10.0.0.0/8, 192.0.2.5" }), "/d")).toMatchObject({ proxyFrom: ["10.0.0.0/8", "192.0.2.5"] });
  });

  it("makes the self-signed certificate once and reuses it; an unreadable configured file is named", async () => {
    const dir = await mkdtemp(path.join(tmpdir(), "bridge-tls-"));
    const c = bridgeConfig(parseEnv({ MAILGRANT_DATA_DIR: dir }), dir);
    if (!c.enabled) throw new Error("expected on");
    const first = await bridgeCertificate(c);
    expect(new X509Certificate(first.cert).subjectAltName).toContain("DNS:localhost");
    // ECDSA P-256: a handshake's signature costs the bridge far less than an RSA-2048 one.
    expect(new X509Certificate(first.cert).publicKey.asymmetricKeyDetails).toEqual({ namedCurve: "prime256v1" });
    expect((await bridgeCertificate(c)).cert.equals(await readFile(first.certPath))).toBe(true);
    await expect(bridgeCertificate({ ...c, tls: { certPath: path.join(dir, "nope.pem"), keyPath: "/x" } })).rejects.toThrow(/MAILGRANT_BRIDGE_TLS_CERT names .*nope\.pem, which cannot be read \(ENOENT\)/);
  });

  it("describes the bound ports for the start banner", () => {
    expect(describeBridge({ smtp: 3025, smtps: 3065, imaps: 3093, pop3s: 3095 }, undefined, "/d/c.pem", true)).toBe(
      "Mail bridge on localhost: SMTP 3025 (STARTTLS), SMTP 3065 (TLS), IMAP 3093 (TLS), POP3 3095 (TLS); self-signed certificate /d/c.pem (clients must trust it, or set MAILGRANT_BRIDGE_TLS_CERT/KEY)",
    );
  });

  it("names each listener that could not bind in the banner, with what to set", () => {
    const failed = [
      { listener: "smtps", port: 3306, code: "EADDRINUSE" },
      { listener: "imaps", port: 993, code: "EACCES" },
      { listener: "pop3s", port: 995, code: "EMFILE" },
    ] as const;
    expect(describeBridge({ smtp: 3025 }, "127.0.0.1", "/c.pem", false, failed).split("\n")).toEqual([
      "Mail bridge on 127.0.0.1: SMTP 3025 (STARTTLS)",
      'Mail bridge not listening: SMTPS on 3306 is taken by another program: set MAILGRANT_BRIDGE_SMTPS_PORT to a free port, or to "off" for no SMTPS listener; the other listeners serve.',
      "Mail bridge not listening: IMAPS on 993 is a port this process may not bind: give it the right to (CAP_NET_BIND_SERVICE for ports below 1024), or set MAILGRANT_BRIDGE_IMAPS_PORT to a port above 1023; the other listeners serve.",
      'Mail bridge not listening: POP3S on 995 could not listen (EMFILE): set MAILGRANT_BRIDGE_POP3S_PORT to another port, or to "off" for no POP3S listener; the other listeners serve.',
    ]);
    expect(describeListenFailure({ listener: "smtp", port: 587, code: "EADDRNOTAVAIL" }, "192.0.2.1")).toBe("SMTP on 587: 192.0.2.1 is not an address of this machine; set MAILGRANT_BRIDGE_HOST to one of its addresses, or leave it unset for all of them");
  });
});
