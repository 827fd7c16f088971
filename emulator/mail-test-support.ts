// Helpers for the emulator's Graph and mail-protocol tests (not a test file itself).
import net from "node:net";
import tls from "node:tls";
import { emulatorAdmin } from "./client";
import { HELPDESK, SEED, getCode, redeemForm, token, type TestEmulator } from "./test-support";

export const USERS = {
  adele: { id: SEED.adeleId, upn: "adele@contoso.onmicrosoft.com" },
  megan: { id: "c0a70500-0000-4000-8000-0000000000a2", upn: "megan@contoso.onmicrosoft.com" },
  lee: { id: "c0a70500-0000-4000-8000-0000000000a3", upn: "lee@contoso.onmicrosoft.com" },
  support: { id: "c0a70500-0000-4000-8000-0000000000a4", upn: "support@contoso.onmicrosoft.com" },
  alex: { id: SEED.alexId, upn: "alex@fabrikam.onmicrosoft.com" },
};

export const OUTLOOK_SCOPES = {
  imap: "https://outlook.office.com/IMAP.AccessAsUser.All",
  pop: "https://outlook.office.com/POP.AccessAsUser.All",
  smtp: "https://outlook.office.com/SMTP.Send",
};

/** A delegated access token minted through the real /authorize + /token flow with the seeded portal app. */
export async function delegatedToken(emu: TestEmulator, userId: string, scope: string): Promise<string> {
  const code = await getCode(emu.http, userId, { params: { scope: `openid offline_access ${scope}` } });
  const res = await token(emu.http, redeemForm(code));
  if (res.status !== 200) throw new Error(`token: ${JSON.stringify(res.body)}`);
  return String(res.body.access_token);
}

/** An app-only token of the seeded "Contoso Helpdesk mail" app (Graph Mail.Read, IMAP.AccessAsApp). */
export async function helpdeskToken(emu: TestEmulator, resource: string): Promise<string> {
  const res = await token(
    emu.http,
    { grant_type: "client_credentials", client_id: HELPDESK.clientId, client_secret: HELPDESK.secret, scope: `${resource}/.default` },
    { tenant: SEED.contosoId },
  );
  if (res.status !== 200) throw new Error(`token: ${JSON.stringify(res.body)}`);
  return String(res.body.access_token);
}

export async function fault(emu: TestEmulator, body: Record<string, unknown>): Promise<void> {
  await emulatorAdmin(emu.http).addFault(body);
}

export function xoauth2(user: string, accessToken: string): string {
  return Buffer.from(`user=${user}\x01auth=Bearer ${accessToken}\x01\x01`).toString("base64");
}

/**
 * A line-oriented client over a raw socket, for talking IMAP/POP/SMTP to the emulator exactly as bytes go on
 * the wire. `tls()` upgrades in place (SMTP STARTTLS).
 */
export class LineClient {
  private buffer = "";
  private lines: string[] = [];
  private waiters: (() => void)[] = [];
  closed = false;

  private constructor(private socket: net.Socket) {
    this.attach(socket);
  }

  private attach(socket: net.Socket) {
    socket.setEncoding("utf8");
    socket.on("data", (chunk: string) => {
      this.buffer += chunk;
      let idx: number;
      while ((idx = this.buffer.indexOf("\r\n")) >= 0) {
        this.lines.push(this.buffer.slice(0, idx));
        this.buffer = this.buffer.slice(idx + 2);
      }
      this.wake();
    });
    socket.on("close", () => {
      this.closed = true;
      this.wake();
    });
    socket.on("error", () => {
      this.closed = true;
      this.wake();
    });
  }

  private wake() {
    const waiters = this.waiters;
    this.waiters = [];
    waiters.forEach((w) => w());
  }

  static connectTls(port: number): Promise<LineClient> {
    return new Promise((resolve, reject) => {
      const socket = tls.connect({ host: "127.0.0.1", port, servername: "localhost", rejectUnauthorized: false }, () => resolve(new LineClient(socket)));
      socket.once("error", reject);
    });
  }

  static connectPlain(port: number): Promise<LineClient> {
    return new Promise((resolve, reject) => {
      const socket = net.connect({ host: "127.0.0.1", port }, () => resolve(new LineClient(socket)));
      socket.once("error", reject);
    });
  }

  /** Upgrades the connection to TLS (after the server said 220 to STARTTLS). */
  tls(): Promise<void> {
    return new Promise((resolve, reject) => {
      this.socket.removeAllListeners("data");
      this.socket.removeAllListeners("close");
      this.socket.removeAllListeners("error");
      const secure = tls.connect({ socket: this.socket, servername: "localhost", rejectUnauthorized: false }, () => resolve());
      secure.once("error", reject);
      this.socket = secure;
      this.attach(secure);
    });
  }

  send(line: string): void {
    this.socket.write(`${line}\r\n`);
  }

  /** The next line from the server (or throws on timeout / close). */
  async line(timeoutMs = 5000): Promise<string> {
    const deadline = Date.now() + timeoutMs;
    while (this.lines.length === 0) {
      if (this.closed) throw new Error("connection closed");
      const left = deadline - Date.now();
      if (left <= 0) throw new Error("timed out waiting for a line");
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, left);
        this.waiters.push(() => {
          clearTimeout(timer);
          resolve();
        });
      });
    }
    return this.lines.shift()!;
  }

  /** Lines until (and including) one that matches `last`. */
  async until(last: RegExp, timeoutMs = 5000): Promise<string[]> {
    const out: string[] = [];
    for (;;) {
      const l = await this.line(timeoutMs);
      out.push(l);
      if (last.test(l)) return out;
    }
  }

  /** Sends a line and returns the reply lines up to the one matching `last`. */
  async command(line: string, last: RegExp): Promise<string[]> {
    this.send(line);
    return this.until(last);
  }

  /** Resolves once the server closed the connection. */
  async waitClosed(timeoutMs = 5000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (!this.closed) {
      if (Date.now() > deadline) throw new Error("still open");
      await new Promise((r) => setTimeout(r, 20));
    }
  }

  close(): void {
    this.socket.destroy();
  }
}
