// npm run bench:api — the token API (issue 15) on loopback, on the embedded database and on
// PostgreSQL in turn: its own emulator, one real connection whose cached token has expired and an
// API key, the production portal with the worker off; then N concurrent token calls (exactly one
// refresh expected at the emulator) and autocannon against the token endpoint for the now cached
// token, between two runs of GET /api/v1/ping (a constant: the framework's floor). bench/README.md
// explains the figures; `--help` lists the options.
import { mkdirSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { parseKeyring } from "@/lib/crypto";
import { apiUsage, parseApiOptions, type ApiOptions } from "./api-options";
import { createEmbedded, createPostgres, seedApiFixture, type BenchDatabase } from "./api-seed";
import { call, measure, pgCounters, pgTrace, singleFlight, type Target } from "./api-load";
import { printReport, printRun, summarize, type ApiReport, type DatabaseRun } from "./api-report";
import { breakdown } from "./api-breakdown";
import { startBenchEmulator, type BenchEmulator } from "./emulator";
import { benchPortalEnv, buildPortal, startPortal, type Portal } from "./console-server";
import { benchCommand, thisMachine } from "./machine";

const root = path.resolve(import.meta.dirname, "..");
const log = (msg: string) => console.log(`[bench ${new Date().toISOString().slice(11, 19)}] ${msg}`);
/** The API's own limits, raised out of the way: the bench measures the endpoint, not the limiter refusing it. */
const UNLIMITED = "1000000000";

type Running = { emu?: BenchEmulator; db?: BenchDatabase; portal?: Portal };

async function stopAll(r: Running) {
  await r.portal?.stop().catch(() => undefined);
  await r.emu?.stop().catch(() => undefined);
  await r.db?.drop().catch((e: unknown) => log(`dropping the database: ${(e as Error).message}`));
}

async function benchDatabase(kind: "embedded" | "postgres", o: ApiOptions, portalEnv: NodeJS.ProcessEnv, running: Running): Promise<DatabaseRun> {
  const keys = portalEnv.MAILGRANT_ENCRYPTION_KEYS!;
  running.emu = await startBenchEmulator({ root, dataDir: path.join(root, ".data", "bench-api"), basePort: o.port + 10 });
  running.db = kind === "embedded" ? createEmbedded(root) : await createPostgres(root, o.pgUrl);
  const label = running.db.label;
  const fixture = await seedApiFixture(running.db.url, parseKeyring(keys), running.emu);
  log(`${label}: seeded org ${fixture.orgId}, connection ${fixture.connectionId} (${fixture.mailbox}), its cached Graph token expired`);

  running.portal = await startPortal(
    root,
    {
      ...portalEnv,
      DATABASE_URL: running.db.url,
      MICROSOFT_ENDPOINT_BASE: running.emu.httpsBase,
      NODE_EXTRA_CA_CERTS: running.emu.certPath,
      MAILGRANT_API_RATE_PER_KEY: UNLIMITED,
      MAILGRANT_API_RATE_PER_CONNECTION: UNLIMITED,
    },
    o.port,
    o.cpuProf ? ["--cpu-prof", `--cpu-prof-dir=${path.resolve(o.cpuProf, kind)}`] : [],
  );
  log(`${label}: portal on ${running.portal.url} (pid ${running.portal.pid})`);
  const token: Target = {
    url: `${running.portal.url}/api/v1/connections/${fixture.connectionId}/token`,
    method: "POST",
    headers: { authorization: `Bearer ${fixture.apiKey}`, "content-type": "application/json" },
    body: JSON.stringify({ resource: "graph" }),
  };
  const ping: Target = { url: `${running.portal.url}/api/v1/ping`, method: "GET" };

  const sf = await singleFlight(token, running.emu.adminBase, o.concurrent);
  log(`${label}: ${sf.calls} concurrent token calls → ${sf.refreshes} refresh(es), ${sf.ok} × 200, ${sf.distinctTokens} distinct token(s)`);
  // The load runs only make sense against a cached token: make sure the endpoint hands one out.
  const again = await call(token);
  if (again.status !== 200) throw new Error(`the token endpoint answered ${again.status} after the burst: ${JSON.stringify(again.body)}`);

  const load = { connections: o.connections, duration: o.duration, portalPid: running.portal.pid, postgres: kind === "postgres" };
  if (o.warmup > 0) {
    await measure("warm-up ping", ping, { ...load, duration: o.warmup });
    await measure("warm-up token", token, { ...load, duration: o.warmup });
  }
  const floorBefore = await measure("floor before", ping, load);
  log(`${label}: floor ${floorBefore.requestsPerSecond.toFixed(0)} req/s`);
  const before = kind === "postgres" ? await pgCounters(running.db.url) : null;
  const tokenRow = await measure("token", token, load);
  const trace = before ? pgTrace(before, await pgCounters(running.db.url), tokenRow.requests) : undefined;
  log(`${label}: token ${tokenRow.requestsPerSecond.toFixed(0)} req/s`);
  const floorAfter = await measure("floor after", ping, load);
  // At 10 connections the latency is mostly queueing (connections ÷ rate); with one, it is a call's own.
  const few = { ...load, connections: o.latencyConnections };
  const latency = o.latencyConnections > 0 ? { floor: await measure("floor, latency", ping, few), token: await measure("token, latency", token, few) } : undefined;
  await running.portal.stop();
  const steps = await breakdown(running.db.url, parseKeyring(keys), fixture);
  return { ...summarize(label, sf, floorBefore, tokenRow, floorAfter, trace), ...(latency ? { latency } : {}), steps };
}

async function main() {
  const o = parseApiOptions(process.argv.slice(2));
  if (o.help) return console.log(apiUsage);
  const report: ApiReport = {
    startedAt: new Date().toISOString(),
    command: benchCommand("bench:api"),
    machine: thisMachine(),
    options: o,
    runs: [],
    errors: [],
  };
  mkdirSync(o.out, { recursive: true });
  const file = path.join(o.out, `api-${report.startedAt.replace(/[:.]/g, "-")}.json`);
  const save = () => writeFileSync(file, `${JSON.stringify(report, null, 2)}\n`);

  const portalEnv = benchPortalEnv(o.port);
  log(`load ${os.loadavg().map((l) => l.toFixed(2)).join(" ")}; building the portal if its sources changed`);
  buildPortal(root, portalEnv);

  let running: Running = {};
  for (const signal of ["SIGINT", "SIGTERM"] as const) process.once(signal, () => void stopAll(running).finally(() => process.exit(130)));
  const kinds = [...(o.embedded ? (["embedded"] as const) : []), ...(o.postgres ? (["postgres"] as const) : [])];
  for (const kind of kinds) {
    running = {};
    try {
      const run = await benchDatabase(kind, o, portalEnv, running);
      report.runs.push(run);
      printRun(run);
    } catch (e) {
      const error = `${(e as Error).message}${running.portal?.child.exitCode != null ? `\nportal output: ${running.portal.stderr().slice(-1500)}` : ""}`;
      report.errors.push({ database: running.db?.label ?? kind, error });
      log(`${kind}: ${error}`);
    } finally {
      await stopAll(running);
    }
    save();
  }
  report.finishedAt = new Date().toISOString();
  report.machine.loadAfter = os.loadavg();
  save();
  printReport(report);
  console.log(`\nWrote ${file}`);
  if (report.errors.length) process.exitCode = 1;
}

main().catch((e: unknown) => {
  console.error(`bench:api failed: ${(e as Error).message}`);
  process.exit(1);
});
