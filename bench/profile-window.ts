// Where one route's CPU went in a portal profile that served several (bench:api's --cpu-prof covers
// the start, the burst and every run): samples in 250 ms bins, a bin counted as the token route's
// when more than 5 % of its samples have a frame from the database driver on the stack (the floor
// route never reaches one), the floor's when Next.js is on the stack and the driver is not.
// Self time is charged to the nearest package or bundle chunk on the stack, as profile-summary.ts does.
// Usage: tsx bench/profile-window.ts <file.cpuprofile> <driver url part: pglite | node_modules/pg/> [token | ping]
import { readFileSync } from "node:fs";

type Node = { id: number; callFrame: { functionName: string; url: string; lineNumber: number }; children?: number[] };
type Profile = { nodes: Node[]; samples: number[]; timeDeltas: number[] };

const [file, marker = "pglite", want = "token"] = process.argv.slice(2);
if (!file) throw new Error("usage: tsx bench/profile-window.ts <file.cpuprofile> <driver url part> [token | ping]");
const p = JSON.parse(readFileSync(file, "utf8")) as Profile;
const byId = new Map(p.nodes.map((n) => [n.id, n]));
const parent = new Map<number, number>();
for (const n of p.nodes) for (const c of n.children ?? []) parent.set(c, n.id);
const stack = (id: number) => {
  const s: Node[] = [];
  for (let at: number | undefined = id; at !== undefined; at = parent.get(at)) s.push(byId.get(at)!);
  return s;
};
const BIN_US = 250_000;
const times: number[] = [];
let t = 0;
for (const d of p.timeDeltas) times.push((t += d));
const idle = (id: number) => byId.get(id)!.callFrame.functionName === "(idle)";

const bins = new Map<number, { total: number; driver: number; next: number }>();
p.samples.forEach((id, i) => {
  if (idle(id)) return;
  const b = Math.floor(times[i]! / BIN_US);
  const e = bins.get(b) ?? { total: 0, driver: 0, next: 0 };
  bins.set(b, e);
  const s = stack(id);
  e.total++;
  if (s.some((f) => f.callFrame.url.includes(marker))) e.driver++;
  if (s.some((f) => f.callFrame.url.includes("next/dist"))) e.next++;
});
const kind = (b: number) => {
  const e = bins.get(b);
  if (!e || e.total < 20) return "idle";
  return e.driver / e.total > 0.05 ? "token" : e.next / e.total > 0.2 ? "ping" : "other";
};

const group = (f: Node) => {
  const { url, functionName } = f.callFrame;
  if (!url) return functionName === "(garbage collector)" ? "(gc)" : functionName === "(program)" || functionName === "(root)" ? functionName : "(native)";
  // WebAssembly modules by their hash: PGlite on the embedded database, Prisma's query compiler.
  if (url.startsWith("wasm://")) return `wasm ${url.slice("wasm://wasm/".length)}`;
  const nm = url.match(/node_modules\/((?:@[^/]+\/)?[^/]+)/);
  if (nm) return nm[1]!;
  if (url.includes(".next/server/chunks")) return `.next chunk ${url.replace(/^.*chunks\//, "")}`;
  if (url.startsWith("node:")) return url.replace(/^node:(internal\/)?/, "node:").split("/").slice(0, 2).join("/");
  return url;
};
const internal = (g: string) => g.startsWith("node:") || g === "(native)" || g === "(program)" || g === "(root)";

const owned = new Map<string, number>();
const self = new Map<string, number>();
let total = 0;
p.samples.forEach((id, i) => {
  if (idle(id) || kind(Math.floor(times[i]! / BIN_US)) !== want) return;
  const dt = p.timeDeltas[i] ?? 0;
  total += dt;
  const leaf = byId.get(id)!;
  const owner = stack(id).map(group).find((g) => !internal(g)) ?? group(leaf);
  owned.set(owner, (owned.get(owner) ?? 0) + dt);
  const fn = `${leaf.callFrame.functionName || "(anonymous)"} ${group(leaf)}`;
  self.set(fn, (self.get(fn) ?? 0) + dt);
});
const pct = (v: number) => `${((100 * v) / total).toFixed(1).padStart(5)} %  ${(v / 1000).toFixed(0).padStart(6)} ms`;
console.log(`${want}: ${[...bins.keys()].filter((b) => kind(b) === want).length} bins of 250 ms, ${(total / 1000).toFixed(0)} ms of CPU`);
console.log("charged to the calling package or chunk:");
for (const [g, v] of [...owned].sort((a, b) => b[1] - a[1]).slice(0, 20)) console.log(`  ${pct(v)}  ${g}`);
console.log("top functions (self):");
for (const [f, v] of [...self].sort((a, b) => b[1] - a[1]).slice(0, 15)) console.log(`  ${pct(v)}  ${f}`);
