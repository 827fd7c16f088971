import os from "node:os";

// What every bench report says about the machine it ran on and how it was started, so figures
// from different runs can be told apart.

export type Machine = { cpus: number; cpuModel: string; memoryGb: number; node: string; loadBefore: number[]; loadAfter?: number[] };

/** This machine now; the bench sets loadAfter when it ends. */
export function thisMachine(): Machine {
  const cpus = os.cpus();
  return { cpus: cpus.length, cpuModel: cpus[0]?.model ?? "?", memoryGb: Math.round(os.totalmem() / 2 ** 30), node: process.version, loadBefore: os.loadavg() };
}

/** The command that started this run, e.g. "npm run bench:api -- --duration 5". */
export function benchCommand(script: string, argv: readonly string[] = process.argv.slice(2)): string {
  return [`npm run ${script}`, ...(argv.length ? ["--", ...argv] : [])].join(" ");
}
