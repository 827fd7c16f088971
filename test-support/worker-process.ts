// Test helper (not a test file): `npm run worker` as a real child process, its log lines kept.
import { spawn, type ChildProcess } from "node:child_process";
import path from "node:path";
import { createInterface } from "node:readline";

const root = path.resolve(import.meta.dirname, "..");

export type WorkerProcess = {
  child: ChildProcess;
  id: string;
  /** Its log lines (pino JSON) and plain lines, as they came. */
  lines: string[];
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  /** Lines that are JSON log records with this message. */
  logged(msg: string): Record<string, unknown>[];
};

/**
 * Starts scripts/worker.ts with `env` on top of this process's environment; resolves once it says
 * it started. `spawned` gets the child at once, so a test can kill it even if the start fails.
 */
export async function startWorkerProcess(env: Record<string, string>, opts: { spawned?: ChildProcess[]; timeoutMs?: number } = {}): Promise<WorkerProcess> {
  const timeoutMs = opts.timeoutMs ?? 60_000;
  const base = Object.fromEntries(Object.entries(process.env).filter(([k]) => !k.startsWith("VITEST") && k !== "TEST_DATABASE_URL"));
  const child = spawn(process.execPath, ["--import", "tsx", path.join(root, "scripts", "worker.ts")], {
    cwd: root,
    env: { ...base, NODE_ENV: "test", CHECKPOINT_DISABLE: "1", ...env },
    stdio: ["ignore", "pipe", "pipe"],
  });
  opts.spawned?.push(child);
  const lines: string[] = [];
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => child.once("exit", (code, signal) => resolve({ code, signal })));
  const started = new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`worker did not start within ${timeoutMs} ms:\n${lines.join("\n")}`)), timeoutMs);
    const onLine = (line: string) => {
      lines.push(line);
      const m = /^worker started .*; id (\S+)\)$/.exec(line);
      if (m) {
        clearTimeout(timer);
        resolve(m[1]!);
      }
    };
    createInterface({ input: child.stdout! }).on("line", onLine);
    createInterface({ input: child.stderr! }).on("line", onLine);
    void exited.then(({ code }) => {
      clearTimeout(timer);
      reject(new Error(`worker exited (${code}) before it started:\n${lines.join("\n")}`));
    });
  });
  const id = await started;
  const logged = (msg: string) =>
    lines.flatMap((l) => {
      try {
        const r = JSON.parse(l) as Record<string, unknown>;
        return r.msg === msg ? [r] : [];
      } catch {
        return [];
      }
    });
  return { child, id, lines, exited, logged };
}
