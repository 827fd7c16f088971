import { mkdtemp, readFile, stat, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterEach, describe, expect, it, vi } from "vitest";
import { LineClient, OUTLOOK_SCOPES, USERS, xoauth2 } from "./mail-test-support";
import { startEmulator, type RunningEmulator } from "./server";
import { GLOBAL, HELPDESK, SEED, admin } from "./test-support";

const running: RunningEmulator[] = [];
afterEach(async () => {
  await Promise.all(running.splice(0).map((e) => e.close()));
});

async function start(stateFile: string | undefined): Promise<RunningEmulator & { http: string }> {
  const tlsDir = process.env.MAILGRANT_TEST_TLS_DIR ?? (await mkdtemp(path.join(tmpdir(), "mailgrant-emulator-tls-")));
  const emu = await startEmulator({ tlsDir, ...(stateFile ? { stateFile } : {}) });
  running.push(emu);
  return { ...emu, http: emu.httpUrl! };
}

async function stop(emu: RunningEmulator) {
  await emu.close();
  running.splice(running.indexOf(emu), 1);
}

async function refresh(http: string, refreshToken: string, scope: string) {
  const res = await fetch(`${http}/${GLOBAL}/${SEED.contosoId}/oauth2/v2.0/token`, {
    method: "POST",
    headers: { "content-type": "application/x-www-form-urlencoded" },
    body: new URLSearchParams({ grant_type: "refresh_token", client_id: HELPDESK.clientId, client_secret: HELPDESK.secret, refresh_token: refreshToken, scope }),
  });
  return { status: res.status, body: (await res.json()) as Record<string, unknown> };
}

const tempFile = async () => path.join(await mkdtemp(path.join(tmpdir(), "mailgrant-emulator-state-")), "emulator-state.json");

describe("state file", () => {
  it("keeps grants, consents, added users, mailboxes and the signing key across a restart", async () => {
    const file = await tempFile();
    const first = await start(file);
    expect(first.stateSource).toBe("seed");
    const added = await admin(first.http, "POST", "/tenants/contoso.onmicrosoft.com/users", { upn: "ann@contoso.onmicrosoft.com", displayName: "Ann Example" });
    expect(added.status).toBe(201);
    const minted = await admin(first.http, "POST", "/grants", {
      clientId: HELPDESK.clientId,
      users: [USERS.adele.upn, "ann@contoso.onmicrosoft.com"],
      scopes: `Mail.Read ${OUTLOOK_SCOPES.pop}`,
    });
    expect(minted.status).toBe(201);
    const [adeleGrant] = minted.body.grants as { refreshToken: string }[];
    // An access token minted before the restart still validates after it (same signing key).
    const before = await refresh(first.http, adeleGrant!.refreshToken, OUTLOOK_SCOPES.pop);
    expect(before.status).toBe(200);
    await admin(first.http, "POST", "/refresh-tokens/revoke", { upn: "ann@contoso.onmicrosoft.com" });
    await stop(first);

    const mode = (await stat(file)).mode & 0o777;
    expect(mode).toBe(0o600);

    const second = await start(file);
    expect(second.stateSource).toBe("stateFile");
    const after = await refresh(second.http, adeleGrant!.refreshToken, "Mail.Read");
    expect(after.status, JSON.stringify(after.body)).toBe(200);
    expect(after.body.refresh_token).toEqual(expect.any(String));
    const [annGrant] = (minted.body.grants as { refreshToken: string }[]).slice(1);
    const revoked = await refresh(second.http, annGrant!.refreshToken, "Mail.Read");
    expect(revoked.body.error_codes).toEqual([50173]);
    const consents = await admin(second.http, "GET", `/consents?clientId=${HELPDESK.clientId}&upn=${USERS.adele.upn}`);
    expect(consents.body).toHaveLength(1);

    const pop = await LineClient.connectTls(second.popPort!);
    await pop.line();
    await pop.command("AUTH XOAUTH2", /./);
    expect(await pop.command(xoauth2(USERS.adele.upn, String(before.body.access_token)), /./)).toEqual(["+OK User successfully authenticated."]);
    expect((await pop.command("STAT", /./))[0]).toMatch(/^\+OK 3 /);
    pop.close();
  });

  it("saves after a change without waiting for shutdown", async () => {
    const file = await tempFile();
    const emu = await start(file);
    await admin(emu.http, "POST", "/tenants/contoso.onmicrosoft.com/users", { upn: "zed@contoso.onmicrosoft.com", displayName: "Zed" });
    await vi.waitFor(async () => expect(await readFile(file, "utf8")).toContain("zed@contoso.onmicrosoft.com"), { timeout: 10_000, interval: 50 });
  });

  it("reports a corrupt file, keeps it as .bad and starts from the seed", async () => {
    const file = await tempFile();
    await writeFile(file, "{ this is not json");
    const errors = vi.spyOn(console, "error").mockImplementation(() => {});
    try {
      const emu = await start(file);
      expect(emu.stateSource).toBe("seedAfterBadStateFile");
      expect(errors).toHaveBeenCalledWith(expect.stringMatching(/state file .*emulator-state\.json can't be used \(not JSON .*\); kept it as .*emulator-state\.json\.bad/));
      expect(await readFile(`${file}.bad`, "utf8")).toBe("{ this is not json");
      const state = await admin(emu.http, "GET", "/state");
      expect((state.body.tenants as { id: string }[]).map((t) => t.id)).toContain(SEED.contosoId);
    } finally {
      errors.mockRestore();
    }
  });

  it("refuses a file of the wrong shape the same way, naming the field", async () => {
    const file = await tempFile();
    await writeFile(file, JSON.stringify({ version: 1, tenants: "nope" }));
    const errors = vi.spyOn(console, "error").mockImplementation(() => {});
    try {
      const emu = await start(file);
      expect(emu.stateSource).toBe("seedAfterBadStateFile");
      expect(String(errors.mock.calls[0]?.[0])).toMatch(/can't be used \((savedAt|clockOffsetMs|signingKey|tenants)[^)]*\)/);
    } finally {
      errors.mockRestore();
    }
  });

  it("stays in memory without a state file", async () => {
    const emu = await start(undefined);
    expect(emu.stateSource).toBe("seed");
  });
});
