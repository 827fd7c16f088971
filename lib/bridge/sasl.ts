import type { LineConn } from "./wire";

// SASL as the bridge's listeners read it before sign-in: PLAIN's payload (RFC 4616) and the
// continuations each protocol asks with (SMTP "334 …", IMAP and POP3 "+ …"). An empty initial
// response is sent as "=" (RFC 4954, 5034, 9051) and "*" is the client's abort in all three.

export type Credentials = { username: string; password: string };

export const b64 = (s: string) => Buffer.from(s, "base64").toString("utf8");

/** RFC 4616: [authzid] NUL authcid NUL passwd. */
export function decodePlain(payload: string): Credentials | null {
  const parts = b64(payload).split("\0");
  if (parts.length !== 3 || !parts[1] || !parts[2]) return null;
  return { username: parts[1], password: parts[2] };
}

/** Writes the continuation and reads the client's answer; null when it aborted ("*"). */
export async function askSasl(conn: LineConn, continuation: string): Promise<string | null> {
  conn.line(continuation);
  const answer = (await conn.readLine()).trim();
  return answer === "*" ? null : answer;
}

/** PLAIN's credentials from the initial response, or asked for with `continuation`; null: not decodable. */
export async function readPlain(conn: LineConn, initial: string | undefined, continuation: string): Promise<Credentials | null | "aborted"> {
  const payload = initial === undefined ? await askSasl(conn, continuation) : initial;
  if (payload === null || payload === "*") return "aborted";
  return decodePlain(payload === "=" ? "" : payload);
}
