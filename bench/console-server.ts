// The portal under measurement: the production build served by server.ts (the launcher's own web
// process) with the worker off, a session cookie made the way auth.ts makes one, and the memory of
// the server's process tree sampled from /proc throughout.
import { spawn, type ChildProcess } from "node:child_process";
import { randomBytes, randomUUID } from "node:crypto";
import { readdirSync, readFileSync } from "node:fs";
import path from "node:path";
import { encode } from "next-auth/jwt";
import { buildIfStale } from "../scripts/build-if-stale";
import { SESSION_HOURS } from "@/lib/users/portal-sessions";
import type { Sql } from "./console-seed";

/** Auth.js's cookie over http (https adds the __Secure- prefix); the name is also the JWT's salt. */
export const SESSION_COOKIE = "authjs.session-token";

/**
 * Signs in as a user without Microsoft: a PortalSession row (what lib/auth/guards.ts checks is
 * live) and the JWT auth.ts's jwt callback would have issued for it ({ uid, sid, name, email }),
 * encrypted with the server's AUTH_SECRET.
 */
export async function sessionCookie(sql: Sql, userId: string, secret: string): Promise<string> {
  const [row] = await sql.rows<{ id: string; email: string; name: string }>(
    `INSERT INTO "PortalSession" (id, "userId", "createdAt", "expiresAt") VALUES (gen_random_uuid(), '${userId}', now(), now() + interval '${SESSION_HOURS} hours')
     RETURNING id::text, (SELECT email FROM "User" WHERE id = '${userId}') AS email, (SELECT name FROM "User" WHERE id = '${userId}') AS name`,
  );
  if (!row) throw new Error(`could not start a portal session for user ${userId}`);
  const token = await encode({ salt: SESSION_COOKIE, secret, maxAge: SESSION_HOURS * 3600, token: { sub: userId, uid: userId, sid: row.id, name: row.name, email: row.email } });
  return `${SESSION_COOKIE}=${token}`;
}

/** The portal's configuration for a bench, which the build needs too (it prerenders the static pages). */
export function benchPortalEnv(port: number, authSecret = randomBytes(32).toString("base64")): NodeJS.ProcessEnv {
  return {
    ...process.env,
    AUTH_SECRET: authSecret,
    AUTH_URL: `http://localhost:${port}`,
    AUTH_MICROSOFT_ENTRA_ID_ID: randomUUID(),
    AUTH_MICROSOFT_ENTRA_ID_SECRET: "bench-not-used",
    MAILGRANT_ENCRYPTION_KEYS: `k1:${randomBytes(32).toString("base64")}`,
    LOG_LEVEL: "warn",
  };
}

export function buildPortal(root: string, env: NodeJS.ProcessEnv) {
  // The launcher's rule: build when the sources changed since the last build, else reuse it.
  buildIfStale(root, { ...env, NEXT_TELEMETRY_DISABLED: "1" });
}

export type Portal = { url: string; pid: number; child: ChildProcess; stop: () => Promise<void>; stderr: () => string };

/** `nodeArgs` go before the script (e.g. --cpu-prof, which NODE_OPTIONS does not take). */
export async function startPortal(root: string, env: NodeJS.ProcessEnv, port: number, nodeArgs: string[] = []): Promise<Portal> {
  const child = spawn(process.execPath, [...nodeArgs, "--import", "tsx", path.join(root, "server.ts")], {
    cwd: root,
    env: { ...env, NODE_ENV: "production", PORT: String(port), HOST: "127.0.0.1", MAILGRANT_WORKER: "off", NEXT_TELEMETRY_DISABLED: "1" },
    stdio: ["ignore", "pipe", "pipe", "ipc"],
  });
  // Its output is kept for error messages only (the server says why it stops on either stream).
  let stderr = "";
  const keep = (d: Buffer) => (stderr = (stderr + d.toString()).slice(-4000));
  child.stdout?.on("data", keep);
  child.stderr?.on("data", keep);
  await new Promise<void>((resolve, reject) => {
    child.once("exit", (code) => reject(new Error(`the portal exited before it was ready (${code}):\n${stderr.trim()}`)));
    child.on("message", (m: { ready?: boolean }) => m.ready && resolve());
  });
  const stop = async () => {
    if (child.exitCode !== null || child.signalCode) return;
    const exited = new Promise((r) => child.once("exit", r));
    child.kill("SIGTERM");
    const timer = setTimeout(() => child.kill("SIGKILL"), 10_000);
    await exited;
    clearTimeout(timer);
  };
  return { url: `http://127.0.0.1:${port}`, pid: child.pid!, child, stop, stderr: () => stderr };
}

/** The process and its descendants (Next may fork workers), from /proc. */
function processTree(root: number): number[] {
  const parents = new Map<number, number[]>();
  for (const name of readdirSync("/proc")) {
    if (!/^\d+$/.test(name)) continue;
    try {
      const stat = readFileSync(`/proc/${name}/stat`, "utf8");
      const ppid = Number(stat.slice(stat.lastIndexOf(")") + 2).split(" ")[1]);
      parents.set(ppid, [...(parents.get(ppid) ?? []), Number(name)]);
    } catch {
      // The process ended while we looked.
    }
  }
  const out = [root];
  for (let i = 0; i < out.length; i++) out.push(...(parents.get(out[i]!) ?? []));
  return out;
}

function statusKb(pid: number, field: "VmRSS" | "VmHWM"): number {
  try {
    const m = readFileSync(`/proc/${pid}/status`, "utf8").match(new RegExp(`^${field}:\\s+(\\d+) kB`, "m"));
    return m ? Number(m[1]) : 0;
  } catch {
    return 0;
  }
}

/**
 * Samples the tree's RSS (sum of VmRSS) every `everyMs`, and the server process's own high-water
 * mark (VmHWM), which catches a spike between two samples.
 */
export function memorySampler(pid: number, everyMs = 100) {
  let peakTreeKb = 0;
  let processes = 1;
  const sample = () => {
    const tree = processTree(pid);
    processes = Math.max(processes, tree.length);
    const sum = tree.reduce((n, p) => n + statusKb(p, "VmRSS"), 0);
    peakTreeKb = Math.max(peakTreeKb, sum);
    return sum;
  };
  sample();
  const timer = setInterval(sample, everyMs);
  timer.unref();
  return {
    sample,
    /** The highest of the sampled tree sum and the server's own VmHWM, in bytes. */
    peakBytes: () => Math.max(peakTreeKb, statusKb(pid, "VmHWM")) * 1024,
    detail: () => ({ peakTreeRssBytes: peakTreeKb * 1024, serverHwmBytes: statusKb(pid, "VmHWM") * 1024, processes }),
    stop: () => clearInterval(timer),
  };
}
