// Where a worker process spent its CPU: self time from V8 CPU profiles (--cpu-prof), grouped by
// package (node_modules/<name>), portal folder (lib/<domain>) or Node internals.
// Usage: tsx bench/profile-summary.ts <dir with .cpuprofile files> [top]
import { readdirSync, readFileSync } from "node:fs";
import path from "node:path";

type Node = { id: number; callFrame: { functionName: string; url: string }; hitCount?: number; children?: number[] };
type Profile = { nodes: Node[]; startTime: number; endTime: number; samples: number[]; timeDeltas: number[] };

function group(url: string, fn: string): string {
  if (!url) return fn === "(garbage collector)" ? "(gc)" : fn === "(idle)" ? "(idle)" : fn === "(program)" ? "(program)" : `(native ${fn || "?"})`;
  const nm = url.match(/node_modules\/((?:@[^/]+\/)?[^/]+)/);
  if (nm) return nm[1]!;
  if (url.startsWith("node:")) return url.replace(/^node:(internal\/)?/, "node:").split("/").slice(0, 2).join("/");
  const m = url.match(/\/(lib|bench|emulator|generated)\/(.*)$/);
  if (m) return m[1] === "lib" ? `lib/${m[2]!.split("/")[0]}` : m[1]!;
  return url;
}

const dir = process.argv[2]!;
const top = Number(process.argv[3] ?? 25);
for (const file of readdirSync(dir).filter((f) => f.endsWith(".cpuprofile"))) {
  const p = JSON.parse(readFileSync(path.join(dir, file), "utf8")) as Profile;
  const byId = new Map(p.nodes.map((n) => [n.id, n]));
  const parent = new Map<number, number>();
  for (const n of p.nodes) for (const c of n.children ?? []) parent.set(c, n.id);
  // Node internals and native frames charged to the nearest caller that is a package or portal code:
  // a socket write made for pg counts as pg's, one made for imapflow as imapflow's.
  const owner = (id: number): string => {
    for (let at: number | undefined = id; at !== undefined; at = parent.get(at)) {
      const n = byId.get(at)!;
      const g = group(n.callFrame.url, n.callFrame.functionName);
      if (!g.startsWith("node:") && !g.startsWith("(native") && g !== "(program)" && g !== "(root)") return g;
    }
    return group(byId.get(id)!.callFrame.url, byId.get(id)!.callFrame.functionName);
  };
  const attributed = new Map<string, number>();
  const self = new Map<string, number>();
  const fns = new Map<string, number>();
  let total = 0;
  p.samples.forEach((id, i) => {
    const n = byId.get(id)!;
    const dt = p.timeDeltas[i] ?? 0;
    const g = group(n.callFrame.url, n.callFrame.functionName);
    if (g === "(idle)") return;
    total += dt;
    self.set(g, (self.get(g) ?? 0) + dt);
    const o = owner(id);
    attributed.set(o, (attributed.get(o) ?? 0) + dt);
    const f = `${g} ${n.callFrame.functionName || "(anonymous)"}`;
    fns.set(f, (fns.get(f) ?? 0) + dt);
  });
  const pct = (v: number) => `${((100 * v) / total).toFixed(1).padStart(5)}%  ${(v / 1000).toFixed(0).padStart(7)} ms`;
  console.log(`\n${file}: ${(total / 1e6).toFixed(1)} s of CPU (idle excluded)`);
  for (const [g, v] of [...self].sort((a, b) => b[1] - a[1]).slice(0, top)) console.log(`  ${pct(v)}  ${g}`);
  console.log("  charged to the calling package (Node internals and native frames included):");
  for (const [g, v] of [...attributed].sort((a, b) => b[1] - a[1]).slice(0, top)) console.log(`  ${pct(v)}  ${g}`);
  console.log("  top functions:");
  for (const [f, v] of [...fns].sort((a, b) => b[1] - a[1]).slice(0, 15)) console.log(`  ${pct(v)}  ${f}`);
}
