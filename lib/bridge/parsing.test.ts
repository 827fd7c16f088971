import type net from "node:net";
import { Duplex } from "node:stream";
import { describe, expect, it } from "vitest";
import { readArguments } from "./imap";
import { decodePlain, readPlain } from "./sasl";
import { LineConn } from "./wire";

// The bridge's own parsing of what clients send before sign-in.

/** A socket whose peer writes `incoming` and whose writes are kept in `written`. */
function fakeSocket(incoming: string[]) {
  const written: string[] = [];
  const socket = new Duplex({
    read() {},
    write(chunk: Buffer, _enc, done) {
      written.push(chunk.toString());
      done();
    },
  });
  for (const part of incoming) socket.push(Buffer.from(part));
  return { socket: socket as unknown as net.Socket, written };
}

describe("SASL PLAIN", () => {
  it("reads authzid NUL authcid NUL password, and refuses anything else", () => {
    const b64 = (s: string) => Buffer.from(s).toString("base64");
    expect(decodePlain(b64("\0printer\0secret pass"))).toEqual({ username: "printer", password: "secret pass" });
    expect(decodePlain(b64("admin\0printer\0pw"))).toEqual({ username: "printer", password: "pw" });
    expect(decodePlain(b64("printer:pw"))).toBeNull();
    expect(decodePlain(b64("\0\0pw"))).toBeNull();
    expect(decodePlain("")).toBeNull();
  });

  it("takes the initial response or asks with the protocol's continuation; '*' aborts, '=' is empty", async () => {
    const plain = Buffer.from("\0printer\0pw").toString("base64");
    const asked = fakeSocket([`${plain}\r\n`]);
    expect(await readPlain(new LineConn(asked.socket), undefined, "334 ")).toEqual({ username: "printer", password: "pw" });
    expect(asked.written).toEqual(["334 \r\n"]);
    const given = fakeSocket([]);
    expect(await readPlain(new LineConn(given.socket), plain, "+ ")).toEqual({ username: "printer", password: "pw" });
    expect(given.written).toEqual([]);
    expect(await readPlain(new LineConn(fakeSocket(["*\r\n"]).socket), undefined, "+ ")).toBe("aborted");
    expect(await readPlain(new LineConn(fakeSocket([]).socket), "*", "+ ")).toBe("aborted");
    expect(await readPlain(new LineConn(fakeSocket([]).socket), "=", "+ ")).toBeNull();
  });
});

describe("IMAP arguments", () => {
  it("atoms, quoted strings with escapes", async () => {
    const { socket } = fakeSocket([]);
    expect(await readArguments(new LineConn(socket), 'bridge-abc "pa ss\\"word\\\\"')).toEqual(["bridge-abc", 'pa ss"word\\']);
  });

  it("a synchronizing literal is asked for with a continuation, a non-synchronizing one is not", async () => {
    const sync = fakeSocket(["s3cr et\r\n"]);
    expect(await readArguments(new LineConn(sync.socket), "printer {7}")).toEqual(["printer", "s3cr et"]);
    expect(sync.written).toEqual(["+ Ready for additional command text.\r\n"]);
    const nonSync = fakeSocket(["printer {3+}\r\nabc\r\n"]);
    expect(await readArguments(new LineConn(nonSync.socket), "{7+}")).toEqual(["printer", "abc"]);
    expect(nonSync.written).toEqual([]);
  });
});
