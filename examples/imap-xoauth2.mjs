// Signs in to a mailbox over IMAP with a token from Mailgrant's token API, using the ready SASL
// XOAUTH2 string it hands out, and prints how many messages the inbox holds. Node 20, no
// dependencies: the IMAP conversation is four lines, shown as they go over the wire.
//
//   MAILGRANT_URL=https://mailgrant.example.com MAILGRANT_API_KEY=mgk_… MAILBOX=support@contoso.com \
//     node examples/imap-xoauth2.mjs
//
// IMAP_HOST / IMAP_PORT default to Exchange Online (outlook.office365.com:993; GCC High and DoD:
// outlook.office365.us, China: partner.outlook.cn).
import tls from "node:tls";

const { MAILGRANT_URL, MAILGRANT_API_KEY, MAILBOX, IMAP_HOST = "outlook.office365.com", IMAP_PORT = "993" } = process.env;
if (!MAILGRANT_URL || !MAILGRANT_API_KEY || !MAILBOX) {
  console.error("Set MAILGRANT_URL, MAILGRANT_API_KEY and MAILBOX.");
  process.exit(2);
}

async function api(path, init = {}) {
  const res = await fetch(new URL(`/api/v1${path}`, MAILGRANT_URL), { ...init, headers: { authorization: `Bearer ${MAILGRANT_API_KEY}`, "content-type": "application/json", ...init.headers } });
  const body = await res.json();
  if (!res.ok) {
    console.error(`Mailgrant answered ${res.status} ${body.error?.code}: ${body.error?.message}`);
    process.exit(1);
  }
  return body;
}

const { data } = await api(`/connections?mailbox=${encodeURIComponent(MAILBOX)}`);
if (!data.length) {
  console.error(`No connection for ${MAILBOX} within this key's reach.`);
  process.exit(1);
}
const { xoauth2 } = await api(`/connections/${data[0].id}/token`, { method: "POST", body: JSON.stringify({ resource: "outlook", format: "xoauth2" }) });

const socket = tls.connect({ host: IMAP_HOST, port: Number(IMAP_PORT), servername: IMAP_HOST });
let buffer = "";
const waiters = [];
// Hands what the server sent to the oldest waiter once its pattern has arrived.
function drain() {
  while (waiters[0]?.until.test(buffer)) {
    const w = waiters.shift();
    const text = buffer;
    buffer = "";
    w.resolve(text);
  }
}
socket.setEncoding("utf8");
socket.on("data", (chunk) => {
  buffer += chunk;
  drain();
});
socket.on("error", (e) => {
  console.error(`IMAP connection failed: ${e.message}`);
  process.exit(1);
});
const read = (until) => new Promise((resolve) => { waiters.push({ until, resolve }); drain(); });
const send = (line, until) => { socket.write(`${line}\r\n`); return read(until); };

await read(/^\* OK.*\r\n/m);
const auth = await send(`A1 AUTHENTICATE XOAUTH2 ${xoauth2}`, /^(A1 |\+ ).*\r\n/m);
if (!/^A1 OK/m.test(auth)) {
  console.error(`IMAP refused the token: ${auth.trim()}`);
  process.exit(1);
}
const select = await send("A2 EXAMINE INBOX", /^A2 .*\r\n/m);
const exists = /^\* (\d+) EXISTS/m.exec(select)?.[1];
await send("A3 LOGOUT", /^A3 .*\r\n/m);
socket.end();
console.log(`${MAILBOX}: ${exists ?? "?"} messages in the inbox`);
