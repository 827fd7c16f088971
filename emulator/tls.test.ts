import { execFile } from "node:child_process";
import { mkdtemp, readFile, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { promisify } from "node:util";
import { X509Certificate } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startEmulator, type RunningEmulator } from "./server";
import { ensureEmulatorCertificate } from "./tls";

const run = promisify(execFile);
const cert = (pem: string) => new X509Certificate(pem).fingerprint256;
let dir: string;
let emu: RunningEmulator;

beforeAll(async () => {
  dir = await mkdtemp(path.join(tmpdir(), "mailgrant-emulator-tls-"));
  emu = await startEmulator({ tlsDir: dir, httpPort: null });
});
afterAll(() => emu.close());

describe("emulator certificate", () => {
  it("is a long-lived trust anchor for localhost and loopback IPs, reused once generated", async () => {
    const first = await ensureEmulatorCertificate(dir);
    const pem = await readFile(first.certPath, "utf8");
    const cert = new X509Certificate(pem);
    expect(cert.ca).toBe(true);
    expect(cert.subjectAltName).toContain("DNS:localhost");
    expect(cert.subjectAltName).toContain("IP Address:127.0.0.1");
    expect(Date.parse(cert.validTo) - Date.now()).toBeGreaterThan(9 * 365 * 86_400_000);
    const second = await ensureEmulatorCertificate(dir);
    expect(await readFile(second.certPath, "utf8")).toBe(pem);
  });

  it("ends its PEM files in a newline, so a CA bundle made with cat keeps every certificate", async () => {
    const own = await mkdtemp(path.join(tmpdir(), "mailgrant-emulator-tls-nl-"));
    const { certPath, keyPath } = await ensureEmulatorCertificate(own);
    const pem = await readFile(certPath, "utf8");
    expect(pem.endsWith("-----END CERTIFICATE-----\n")).toBe(true);
    expect((await readFile(keyPath, "utf8")).endsWith("\n")).toBe(true);
    const bundle = pem + pem; // what `cat emulator-cert.pem other.pem > bundle.pem` produces
    expect(bundle).not.toContain("-----END CERTIFICATE----------BEGIN");
    const blocks = bundle.match(/-----BEGIN CERTIFICATE-----\n[\s\S]+?\n-----END CERTIFICATE-----\n/g) ?? [];
    expect(blocks.map((b) => new X509Certificate(b).fingerprint256)).toEqual([cert(pem), cert(pem)]);

    // A certificate written by an older emulator (no final newline) is repaired, not regenerated.
    await writeFile(certPath, pem.trimEnd());
    await ensureEmulatorCertificate(own);
    expect(await readFile(certPath, "utf8")).toBe(pem);
  });

  it("lets a child node process with NODE_EXTRA_CA_CERTS fetch discovery over HTTPS", async () => {
    expect(emu.httpUrl).toBeNull();
    const url = `${emu.httpsUrl}/login.microsoftonline.com/organizations/v2.0/.well-known/openid-configuration`;
    const script = `const r = await fetch(${JSON.stringify(url)}); const j = await r.json(); console.log(r.status + " " + j.issuer);`;
    const { stdout } = await run(process.execPath, ["--input-type=module", "-e", script], {
      env: { ...process.env, NODE_EXTRA_CA_CERTS: emu.certPath },
    });
    expect(stdout.trim()).toBe(`200 ${emu.httpsUrl}/login.microsoftonline.com/{tenantid}/v2.0`);
  });

  it("is not trusted without NODE_EXTRA_CA_CERTS (the test above proves something)", async () => {
    const url = `${emu.httpsUrl}/login.microsoftonline.com/common/discovery/v2.0/keys`;
    const script = `try { await fetch(${JSON.stringify(url)}); console.log("trusted"); } catch (e) { console.log("untrusted " + (e.cause?.code ?? e.message)); }`;
    const env = { ...process.env };
    delete env.NODE_EXTRA_CA_CERTS;
    const { stdout } = await run(process.execPath, ["--input-type=module", "-e", script], { env });
    expect(stdout.trim()).toMatch(/^untrusted/);
  });
});
