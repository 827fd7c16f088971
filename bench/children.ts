// Child processes of the bench: a worker process driven over IPC, and the CPU time of any process
// (the emulator's, to see whether it is the bottleneck) from /proc.
import { fork, type ChildProcess } from "node:child_process";
import { readFileSync } from "node:fs";
import path from "node:path";

export type WorkerChild = { child: ChildProcess; call: <T = unknown>(cmd: string, args?: unknown) => Promise<T>; exited: Promise<number | null> };

export async function forkWorker(root: string, env: NodeJS.ProcessEnv, opts: { cpuProfDir?: string } = {}): Promise<WorkerChild> {
  const child = fork(path.join(root, "bench", "worker-process.ts"), [], {
    cwd: root,
    env,
    execArgv: ["--import", "tsx", ...(opts.cpuProfDir ? ["--cpu-prof", "--cpu-prof-dir", opts.cpuProfDir] : [])],
    // The worker's logs are part of its cost; where they go is not.
    stdio: ["ignore", "ignore", "inherit", "ipc"],
  });
  const pending = new Map<number, { resolve: (v: unknown) => void; reject: (e: Error) => void }>();
  let ready: () => void;
  const isReady = new Promise<void>((r) => (ready = r));
  child.on("message", (m: { id: number; ok: boolean; result?: unknown; error?: string }) => {
    if (m.id === 0) return ready();
    const p = pending.get(m.id);
    pending.delete(m.id);
    if (m.ok) p?.resolve(m.result);
    else p?.reject(new Error(m.error));
  });
  const exited = new Promise<number | null>((resolve) =>
    child.once("exit", (code) => {
      for (const p of pending.values()) p.reject(new Error(`worker process exited (${code})`));
      resolve(code);
    }),
  );
  let next = 1;
  const call = <T,>(cmd: string, args?: unknown) =>
    new Promise<T>((resolve, reject) => {
      const id = next++;
      pending.set(id, { resolve: resolve as (v: unknown) => void, reject });
      child.send({ id, cmd, args });
    });
  await Promise.race([isReady, exited.then((c) => Promise.reject(new Error(`worker process exited before it was ready (${c})`)))]);
  return { child, call, exited };
}

/** User + system CPU time of a process in ms, from /proc (Linux); null elsewhere. */
export function processCpuMs(pid: number | undefined): number | null {
  if (!pid) return null;
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
    const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
    return ((Number(fields[11]) + Number(fields[12])) * 1000) / 100; // utime, stime in clock ticks (USER_HZ = 100)
  } catch {
    return null;
  }
}
