// Node warns (DEP0123) when a TLS servername is an IP address, and SNI may only carry host names (RFC 6066 §3).
// Every servername set in emulator/, scripts/ and lib/ is a fixed host name or is guarded by net.isIP.
import { readdirSync, readFileSync } from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";

const root = path.resolve(import.meta.dirname, "..");

function sources(dir: string): string[] {
  return readdirSync(path.join(root, dir), { withFileTypes: true, recursive: true })
    .filter((e) => e.isFile() && /\.tsx?$/.test(e.name))
    .map((e) => path.join(e.parentPath, e.name));
}

describe("TLS servername", () => {
  it("is never set from a host that may be an IP address without checking net.isIP", () => {
    const offenders: string[] = [];
    for (const file of ["emulator", "scripts", "lib"].flatMap(sources).filter((f) => f !== import.meta.filename)) {
      readFileSync(file, "utf8")
        .split("\n")
        .forEach((line, i) => {
          const m = /servername:\s*([^,}]+)/.exec(line);
          if (!m) return;
          const value = m[1]!.trim();
          const literalName = /^["'`][^"'`]*[a-z][^"'`]*["'`]$/i.test(value);
          if (!literalName && !/isIP\(/.test(line)) offenders.push(`${path.relative(root, file)}:${i + 1}: ${line.trim()}`);
        });
    }
    expect(offenders).toEqual([]);
  });
});
