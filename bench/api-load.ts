// What the token API bench does to the portal: a burst of concurrent token calls for one expired
// token (counting the refreshes the emulator saw), autocannon runs against a route, and on
// PostgreSQL the statements' traces in pg_stat_user_tables, to say where a call's time goes.
import { readdirSync, readFileSync } from "node:fs";
import os from "node:os";
import pg from "pg";
import autocannon from "autocannon";
import { processCpuMs } from "./children";

export type Target = { url: string; method: "GET" | "POST"; headers?: Record<string, string>; body?: string };

export type LoadRow = {
  name: string;
  route: string;
  connections: number;
  durationS: number;
  requestsPerSecond: number;
  requests: number;
  p50Ms: number;
  p99Ms: number;
  maxMs: number;
  /** Answers other than 2xx, connection errors and timeouts: a row with any is not a measurement. */
  non2xx: number;
  errors: number;
  statuses: Record<string, number>;
  /** 1-minute load average right after the run (the machine is shared). */
  load1: number;
  /** CPU time of the portal's process per answered request (user + system, from /proc). */
  portalCpuMsPerRequest: number | null;
  /** CPU time of every PostgreSQL process on this machine per request (other databases' work included). */
  postgresCpuMsPerRequest: number | null;
};

/** CPU ms of each process named "postgres" (the server's backends), from /proc; empty when none is local. */
function postgresCpu(): Map<number, number> {
  const out = new Map<number, number>();
  for (const name of readdirSync("/proc")) {
    if (!/^\d+$/.test(name)) continue;
    try {
      if (readFileSync(`/proc/${name}/comm`, "utf8").trim() === "postgres") out.set(Number(name), processCpuMs(Number(name)) ?? 0);
    } catch {
      // The process ended while we looked.
    }
  }
  return out;
}

/** CPU the server's processes used since `before`: a backend that started since counts in full, one that ended is lost. */
function postgresCpuSince(before: Map<number, number>): number {
  let sum = 0;
  for (const [pid, ms] of postgresCpu()) sum += ms - (before.get(pid) ?? 0);
  return sum;
}

export async function measure(name: string, target: Target, o: { connections: number; duration: number; portalPid: number; postgres: boolean }): Promise<LoadRow> {
  const cpu0 = { portal: processCpuMs(o.portalPid), pg: o.postgres ? postgresCpu() : null };
  const r = await autocannon({ url: target.url, method: target.method, connections: o.connections, duration: o.duration, ...(target.headers ? { headers: target.headers } : {}), ...(target.body ? { body: target.body } : {}) });
  return {
    name,
    route: `${target.method} ${new URL(target.url).pathname}`,
    connections: o.connections,
    durationS: r.duration,
    requestsPerSecond: r.requests.average,
    requests: r.requests.total,
    p50Ms: r.latency.p50,
    p99Ms: r.latency.p99,
    maxMs: r.latency.max,
    non2xx: r.non2xx,
    errors: r.errors + r.timeouts,
    statuses: Object.fromEntries(Object.entries(r.statusCodeStats).map(([code, s]) => [code, s.count])),
    load1: os.loadavg()[0]!,
    portalCpuMsPerRequest: cpu0.portal === null ? null : ((processCpuMs(o.portalPid) ?? 0) - cpu0.portal) / Math.max(1, r.requests.total),
    postgresCpuMsPerRequest: cpu0.pg === null ? null : postgresCpuSince(cpu0.pg) / Math.max(1, r.requests.total),
  };
}

export type TokenAnswer = { status: number; body: { access_token?: string; expires_at?: string; error?: { code: string; message: string } } };

export async function call(target: Target): Promise<TokenAnswer> {
  const res = await fetch(target.url, { method: target.method, ...(target.headers ? { headers: target.headers } : {}), ...(target.body ? { body: target.body } : {}) });
  return { status: res.status, body: (await res.json()) as TokenAnswer["body"] };
}

/** Refresh tokens the emulator has issued: every refresh-token grant rotates the refresh token, so one more per refresh. */
export async function refreshTokensIssued(emulatorAdminBase: string): Promise<number> {
  const res = await fetch(`${emulatorAdminBase}/_emulator/state`);
  if (!res.ok) throw new Error(`the emulator's state answered ${res.status}`);
  return ((await res.json()) as { refreshTokens: unknown[] }).refreshTokens.length;
}

export type SingleFlight = { calls: number; refreshes: number; ok: number; distinctTokens: number; statuses: Record<string, number>; firstError?: string; ms: number; load1: number };

/** `n` token calls at once for a connection whose cached token has expired. */
export async function singleFlight(target: Target, emulatorAdminBase: string, n: number): Promise<SingleFlight> {
  const before = await refreshTokensIssued(emulatorAdminBase);
  const t = performance.now();
  const answers = await Promise.all(Array.from({ length: n }, () => call(target).catch((e: unknown): TokenAnswer => ({ status: 0, body: { error: { code: "fetch_failed", message: String((e as Error).cause ?? e) } } }))));
  const ms = performance.now() - t;
  const refreshes = (await refreshTokensIssued(emulatorAdminBase)) - before;
  const statuses: Record<string, number> = {};
  for (const a of answers) statuses[a.status] = (statuses[a.status] ?? 0) + 1;
  const ok = answers.filter((a) => a.status === 200 && a.body.access_token);
  const failed = answers.find((a) => a.status !== 200);
  return {
    calls: n,
    refreshes,
    ok: ok.length,
    distinctTokens: new Set(ok.map((a) => a.body.access_token)).size,
    statuses,
    ...(failed ? { firstError: `${failed.status} ${JSON.stringify(failed.body.error ?? failed.body)}` } : {}),
    ms,
    load1: os.loadavg()[0]!,
  };
}

type TableCounters = Record<string, { scans: number; writes: number }>;
export type PgTrace = { commits: number; tables: Record<string, { scansPerCall: number; writesPerCall: number }> };

/**
 * pg_stat_database and pg_stat_user_tables for the bench's database. Backends report their
 * counters when idle, at most once a second, so each read waits 2.5 s first.
 */
export async function pgCounters(url: string): Promise<{ commits: number; tables: TableCounters }> {
  await new Promise((r) => setTimeout(r, 2_500));
  const c = new pg.Client({ connectionString: url });
  await c.connect();
  try {
    const db = await c.query<{ n: string }>("SELECT xact_commit::text AS n FROM pg_stat_database WHERE datname = current_database()");
    const t = await c.query<{ relname: string; scans: string; writes: string }>(
      `SELECT relname, (coalesce(seq_scan, 0) + coalesce(idx_scan, 0))::text AS scans, (n_tup_ins + n_tup_upd + n_tup_del)::text AS writes FROM pg_stat_user_tables`,
    );
    return { commits: Number(db.rows[0]?.n ?? 0), tables: Object.fromEntries(t.rows.map((r) => [r.relname, { scans: Number(r.scans), writes: Number(r.writes) }])) };
  } finally {
    await c.end();
  }
}

/** Per call, the tables the run touched (the probe's own two reads are in `commits`, a rounding error over thousands of calls). */
export function pgTrace(before: Awaited<ReturnType<typeof pgCounters>>, after: Awaited<ReturnType<typeof pgCounters>>, calls: number): PgTrace {
  const tables: PgTrace["tables"] = {};
  for (const [name, a] of Object.entries(after.tables)) {
    const b = before.tables[name] ?? { scans: 0, writes: 0 };
    const scans = a.scans - b.scans;
    const writes = a.writes - b.writes;
    if (scans > 0 || writes > 0) tables[name] = { scansPerCall: scans / calls, writesPerCall: writes / calls };
  }
  return { commits: (after.commits - before.commits) / calls, tables };
}
