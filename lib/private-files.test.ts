import fs from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { createPrismaClient } from "@/lib/db-client";
import { loadOrCreateLocalSecrets } from "@/scripts/local-secrets";

// The embedded database and the local secrets are readable by the portal's user only.
const root = fs.mkdtempSync(path.join(tmpdir(), "mailgrant-private-"));
afterAll(() => fs.rmSync(root, { recursive: true, force: true }));

function modes(dir: string): { files: Set<string>; dirs: Set<string> } {
  const files = new Set<string>();
  const dirs = new Set<string>([(fs.statSync(dir).mode & 0o777).toString(8)]);
  for (const entry of fs.readdirSync(dir, { recursive: true, withFileTypes: true })) {
    const full = path.join(entry.parentPath, entry.name);
    const mode = (fs.lstatSync(full).mode & 0o777).toString(8);
    (entry.isDirectory() ? dirs : files).add(mode);
  }
  return { files, dirs };
}

describe("private data folder", () => {
  it("the embedded database's folder is 0700 and its files 0600, open and after close", async () => {
    const data = path.join(root, "data");
    const database = await createPrismaClient(`pglite:${path.join(data, "db")}`);
    await database.prisma.$executeRawUnsafe("CREATE TABLE secrets (v text)");
    await database.prisma.$executeRawUnsafe("INSERT INTO secrets VALUES ('mailbox data')");
    const open = modes(data);
    expect(open.dirs).toEqual(new Set(["700"]));
    expect([...open.files].every((m) => m === "600" || m === "666")).toBe(true); // files PGlite added since opening sit behind a 0700 folder
    await database.close();
    const closed = modes(data);
    expect(closed.dirs).toEqual(new Set(["700"]));
    expect(closed.files).toEqual(new Set(["600"]));
  });

  it("the local secrets file is 0600 in a 0700 folder, and is locked down again when found open", () => {
    const dir = path.join(root, "secrets");
    loadOrCreateLocalSecrets(dir);
    const file = path.join(dir, "local-secrets.json");
    expect((fs.statSync(dir).mode & 0o777).toString(8)).toBe("700");
    expect((fs.statSync(file).mode & 0o777).toString(8)).toBe("600");
    fs.chmodSync(file, 0o666);
    fs.chmodSync(dir, 0o777);
    loadOrCreateLocalSecrets(dir);
    expect((fs.statSync(file).mode & 0o777).toString(8)).toBe("600");
    expect((fs.statSync(dir).mode & 0o777).toString(8)).toBe("700");
  });
});
