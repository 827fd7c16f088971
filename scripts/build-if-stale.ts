import { spawnSync } from "node:child_process";
import { createHash } from "node:crypto";
import { existsSync, readdirSync, readFileSync, statSync, writeFileSync } from "node:fs";
import path from "node:path";

// `npm start` serves a production build. Rebuild only when the sources changed since the last
// build, so a second start is instant and a pulled change is never served stale.
const SOURCES = ["app", "components", "lib", "auth.ts", "proxy.ts", "next.config.ts", "postcss.config.mjs", "package-lock.json", "prisma/schema.prisma"];

function fingerprint(root: string): string {
  const hash = createHash("sha256");
  const walk = (p: string) => {
    if (!existsSync(p)) return;
    const st = statSync(p);
    if (st.isDirectory()) for (const name of readdirSync(p).sort()) walk(path.join(p, name));
    else hash.update(`${path.relative(root, p)}:${st.size}:${st.mtimeMs}\n`);
  };
  for (const s of SOURCES) walk(path.join(root, s));
  return hash.digest("hex");
}

export function buildIfStale(root: string, env: NodeJS.ProcessEnv) {
  const stamp = path.join(root, ".next", "mailgrant-fingerprint");
  const current = fingerprint(root);
  if (existsSync(path.join(root, ".next", "BUILD_ID")) && existsSync(stamp) && readFileSync(stamp, "utf8") === current) return;
  console.log("Building the portal (first start, or the sources changed)…");
  const nextBin = path.join(root, "node_modules", "next", "dist", "bin", "next");
  const result = spawnSync(process.execPath, [nextBin, "build"], { cwd: root, env: { ...env, NODE_ENV: "production" }, stdio: "inherit" });
  if (result.status !== 0) {
    console.error("The build failed; see the output above.");
    process.exit(1);
  }
  writeFileSync(stamp, current);
}
