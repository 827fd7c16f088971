import { describe, expect, it } from "vitest";
import { admin } from "@/emulator/test-support";
import { connectedOrg, credential, rawClient, sessionsOf, setupBridge } from "@/test-support/bridge-fixtures";

// POP3 through the bridge to the emulator's Exchange stand-in with a raw client, as printers and
// old helpdesks speak it: USER/PASS (and AUTH PLAIN), then STAT and RETR answered by Exchange.

const t = setupBridge();

async function signedIn(port: number, user: string, pass: string) {
  const pop = await rawClient(port);
  expect(await pop.line()).toMatch(/^\+OK /);
  pop.send(`USER ${user}`);
  expect(await pop.line()).toBe("+OK");
  pop.send(`PASS ${pass}`);
  return { pop, answer: await pop.line() };
}

describe("POP3 bridge", () => {
  it("USER/PASS, STAT and RETR through Exchange, QUIT; the session is on the timeline with its bytes", async () => {
    const s = await connectedOrg(t);
    const c = await credential(s);
    const { pop, answer } = await signedIn(t.bridge.ports.pop3s!, c.username, c.password);
    expect(answer).toBe("+OK User successfully authenticated.");
    pop.send("STAT");
    const stat = await pop.line();
    expect(stat).toMatch(/^\+OK 3 \d+$/);
    pop.send("RETR 1");
    const message = await pop.until(/^\.$/);
    expect(message[0]).toMatch(/^\+OK/);
    expect(message.join("\n")).toMatch(/Subject: /);
    pop.send("QUIT");
    expect(await pop.line()).toMatch(/^\+OK .*signing off/);
    expect(await pop.line()).toBeNull();
    await expect.poll(async () => (await sessionsOf(t, s.id)).map((e) => e.detail)).toEqual([expect.objectContaining({ protocol: "pop", outcome: "ok" })]);
    const d = (await sessionsOf(t, s.id))[0]!.detail as { bytesToClient: number };
    expect(d.bytesToClient).toBeGreaterThan(message.join("\r\n").length);
  });

  it("AUTH PLAIN with the continuation", async () => {
    const s = await connectedOrg(t);
    const c = await credential(s);
    const pop = await rawClient(t.bridge.ports.pop3s!);
    await pop.line();
    pop.send("CAPA");
    expect(await pop.until(/^\.$/)).toEqual(["+OK", "USER", "SASL PLAIN", "TOP", "UIDL", "."]);
    pop.send("AUTH PLAIN");
    expect(await pop.line()).toBe("+ ");
    pop.send(Buffer.from(`\0${c.username}\0${c.password}`).toString("base64"));
    expect(await pop.line()).toBe("+OK User successfully authenticated.");
    pop.send("STAT");
    expect(await pop.line()).toMatch(/^\+OK 3 /);
    pop.close();
  });

  it("a wrong password and a credential without POP: -ERR [AUTH] with the hint; the connection stays usable", async () => {
    const s = await connectedOrg(t);
    const c = await credential(s, { protocols: ["smtp"] });
    const { pop, answer } = await signedIn(t.bridge.ports.pop3s!, c.username, "wrong");
    expect(answer).toMatch(/^-ERR \[AUTH\] Mailgrant: wrong username or password/);
    pop.send(`USER ${c.username}`);
    await pop.line();
    pop.send(`PASS ${c.password}`);
    expect(await pop.line()).toMatch(/^-ERR \[AUTH\] Mailgrant: this bridge credential is not allowed to use POP/);
    pop.close();
  });

  it("Exchange unreachable: -ERR [SYS/TEMP] naming the host, the session recorded as an error", async () => {
    const s = await connectedOrg(t);
    const c = await credential(s);
    await admin(t.emu.http, "POST", "/faults", { endpoint: "pop", drop: true });
    const { pop, answer } = await signedIn(t.bridge.ports.pop3s!, c.username, c.password);
    expect(answer).toMatch(new RegExp(`^-ERR \\[SYS/TEMP\\] Mailgrant: could not sign in at ${t.emu.mailHost}:${t.emu.popPort} \\(\\w+\\); try again later$`));
    pop.close();
    await expect.poll(async () => (await sessionsOf(t, s.id)).map((e) => (e.detail as { outcome: string }).outcome)).toEqual(["error"]);
  });

  it("a line longer than POP3 allows ends the connection with -ERR", async () => {
    const pop = await rawClient(t.bridge.ports.pop3s!);
    await pop.line();
    pop.send(`USER ${"x".repeat(20_000)}`);
    expect(await pop.line()).toBe("-ERR [SYS/TEMP] Mailgrant: line too long");
    expect(await pop.line()).toBeNull();
  });
});
