// The mail bridge under test, as a process of its own (so its memory can be read from /proc and its
// CPU is not the load generator's): it opens the database (embedded, or a temporary PostgreSQL
// database with --pg), makes an org, an integration, a connection through the emulator's consent
// flow and a bridge credential, starts the bridge and tells the bench over IPC. Driven by bench/bridge.ts.
import { readFileSync, writeFileSync } from "node:fs";
import { randomBytes } from "node:crypto";
import { Session as Inspector } from "node:inspector/promises";
import { emulatorAdmin } from "../emulator/client";
import { parseKeyring } from "../lib/crypto";
import { hostMapFromBase } from "../lib/microsoft/endpoints";
import { createBridgeCredential } from "../lib/bridge/credentials";
import { startBridge } from "../lib/bridge/bridge";
import { getAccessToken } from "../lib/connections/tokens";
import { completeFlow, startConnect } from "../lib/connections/consent";
import { consumeAuthorizationRequest, newBrowserId } from "../lib/connections/flow-state";
import { openTestDb } from "../test-support/test-db";
import { orgWithIntegration } from "../test-support/org-fixtures";

export type BridgeChildInput = {
  adminBase: string;
  mail: { host: string; imapPort: number; popPort: number; smtpPort: number };
  certPath: string;
  keyPath: string;
  ports: { smtp: number; imaps: number };
  inboxCount: number;
};
/** Database work so far, by Prisma operation ("bridgeCredential.findUnique") and SQL statements sent (embedded database only). */
export type BridgeChildCounts = { operations: Record<string, number>; statements: number | null };
export type BridgeChildReady = { ports: { smtp?: number; imaps?: number }; user: string; username: string; password: string; accessToken: string; database: string };

const HELPDESK = { clientId: "c0a70500-0000-4000-8000-0000000000e1", secret: "Hd7Q~Contoso.Helpdesk_Secret~00000001x" };
const REDIRECT = "http://localhost:3999/api/connections/callback";

function form(html: string) {
  const unescape = (s: string) => s.replace(/&#(\d+);/g, (_, n: string) => String.fromCharCode(Number(n)));
  const fields: Record<string, string> = {};
  for (const m of html.matchAll(/<input type="hidden" name="([^"]+)" value="([^"]*)">/g)) fields[unescape(m[1]!)] = unescape(m[2]!);
  return { action: unescape(/<form method="post" action="([^"]+)"/.exec(html)?.[1] ?? ""), fields };
}

/** Plays the browser at the emulator's picker and consent pages; returns the callback's query. */
async function consent(origin: string, url: string, account: string): Promise<URLSearchParams> {
  const picker = form(await (await fetch(url, { redirect: "manual" })).text());
  let res = await fetch(new URL(picker.action, origin), { method: "POST", body: new URLSearchParams({ ...picker.fields, account }), redirect: "manual" });
  if (res.status === 200) {
    const page = form(await res.text());
    res = await fetch(new URL(page.action, origin), { method: "POST", body: new URLSearchParams({ ...page.fields, consent: "accept" }), redirect: "manual" });
  }
  const location = res.headers.get("location");
  if (res.status !== 302 || !location) throw new Error(`the emulator's consent flow answered ${res.status}`);
  return new URL(location).searchParams;
}

async function main(input: BridgeChildInput): Promise<void> {
  const database = await openTestDb();
  const db = database.prisma;
  const keyring = parseKeyring(`k1:${randomBytes(32).toString("base64")}`);
  const admin = emulatorAdmin(input.adminBase);
  await admin.ok("POST", `/apps/${HELPDESK.clientId}/redirect-uris`, { uri: REDIRECT });
  const upn = `bench-${randomBytes(3).toString("hex")}@contoso.onmicrosoft.com`;
  const user = await admin.ok<{ id: string }>("POST", "/tenants/contoso.onmicrosoft.com/users", { upn, displayName: "Bridge Bench", inboxCount: input.inboxCount });

  const s = await orgWithIntegration(db, keyring, `bridge-bench-${randomBytes(2).toString("hex")}`, { clientId: HELPDESK.clientId, secret: HELPDESK.secret, purposes: ["smtp", "imap"] });
  const hostMap = hostMapFromBase(input.adminBase);
  const deps = { db, keyring, hostMap, redirectUri: REDIRECT };
  const browserId = newBrowserId();
  const { url } = await startConnect(deps, { integration: s.integration, browserId });
  const params = await consent(input.adminBase, url, user.id);
  const consumed = await consumeAuthorizationRequest(db, keyring, params.get("state"), browserId);
  if (!consumed.ok) throw new Error(consumed.problem);
  const outcome = await completeFlow(deps, consumed.flow, params);
  if (!outcome.ok || outcome.kind !== "connected") throw new Error(`connecting the bench mailbox failed: ${JSON.stringify(outcome)}`);
  const made = await createBridgeCredential(db, s.org.id, s.owner, { connectionId: outcome.connectionId, name: "Bench", username: "generated", protocols: ["smtp", "imap"], allowedIps: [] });
  // The token the direct path uses: the same connection's Exchange Online token, as the bridge gets it.
  const token = await getAccessToken({ db, keyring, hostMap }, s.org.id, outcome.connectionId, "outlook");
  if (!token.ok) throw new Error(`no access token for the bench mailbox: ${JSON.stringify(token)}`);

  // What a bridged session asks of the database: every Prisma operation the bridge makes, by model
  // and operation, and (embedded database) every SQL statement the adapter sends to PGlite.
  const counts: BridgeChildCounts = { operations: {}, statements: database.pglite ? 0 : null };
  const counted = db.$extends({
    query: {
      $allOperations({ model, operation, args, query }) {
        const k = `${model ?? "$raw"}.${operation}`;
        counts.operations[k] = (counts.operations[k] ?? 0) + 1;
        return query(args);
      },
    },
  }) as unknown as typeof db;
  if (database.pglite) {
    const pg = database.pglite;
    const query = pg.query.bind(pg);
    const transaction = pg.transaction.bind(pg);
    pg.query = ((...a: Parameters<typeof query>) => (counts.statements!++, query(...a))) as typeof pg.query;
    pg.transaction = ((fn: Parameters<typeof transaction>[0]) =>
      transaction((tx) => {
        const q = tx.query.bind(tx);
        tx.query = ((...a: Parameters<typeof q>) => (counts.statements!++, q(...a))) as typeof tx.query;
        return fn(tx);
      })) as typeof pg.transaction;
  }
  // --cpu-prof: the bench profiles the measured bridge rounds only (not setup), through the inspector.
  const inspector = new Inspector();
  inspector.connect();

  const bridge = await startBridge({
    db: counted,
    keyring,
    hostMap,
    mailHost: input.mail,
    portalUrl: "http://localhost:3000",
    ports: { smtp: input.ports.smtp, imaps: input.ports.imaps },
    tls: { cert: readFileSync(input.certPath), key: readFileSync(input.keyPath) },
    host: "127.0.0.1",
  });
  // The bench measures both listeners: one that could not bind is an error here, not a note.
  if (bridge.failed.length) throw new Error(`the bench bridge could not listen: ${bridge.failed.map((f) => `${f.listener} on ${f.port} (${f.code})`).join(", ")}`);
  const ready: BridgeChildReady = { ports: bridge.ports, user: upn, username: made.view.username, password: made.password, accessToken: token.value.token, database: database.kind };
  process.send!({ ready });
  process.on("message", (m: { cmd: string; file?: string }) => {
    if (m.cmd === "counts") process.send!({ counts: structuredClone(counts) });
    if (m.cmd === "profile-start") {
      void inspector
        .post("Profiler.enable")
        .then(() => inspector.post("Profiler.start"))
        .then(() => process.send!({ profiling: true }));
    }
    if (m.cmd === "profile-stop")
      void inspector.post("Profiler.stop").then(({ profile }) => {
        writeFileSync(m.file!, JSON.stringify(profile));
        process.send!({ profiled: m.file });
      });
    if (m.cmd === "memory") {
      (globalThis as { gc?: () => void }).gc?.();
      process.send!({ memory: { ...process.memoryUsage(), sessions: bridge.sessionCount() } });
    }
    if (m.cmd === "stop")
      void bridge
        .stop()
        .then(() => database.close())
        .finally(() => process.exit(0));
  });
}

process.once("message", (input: BridgeChildInput) => {
  main(input).catch((e: unknown) => {
    console.error(`bench bridge process: ${(e as Error).stack ?? String(e)}`);
    process.exit(1);
  });
});
