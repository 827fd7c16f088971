import fs from "node:fs";
import path from "node:path";

// The data folder holds the embedded database (mailboxes, grants, audit), local secrets and the
// emulator's state: only the portal's own user may read it. PGlite creates its files 0666 whatever
// the umask, so the folder is closed (0700) and everything in it made owner-only (files 0600,
// folders 0700) when the portal opens and closes it; a file PGlite adds in between stays behind a
// folder nobody else can enter.

export function makePrivateDir(dir: string) {
  fs.mkdirSync(dir, { recursive: true, mode: 0o700 });
  fs.chmodSync(dir, 0o700);
}

export function lockDown(target: string) {
  let stat: fs.Stats;
  try {
    stat = fs.lstatSync(target);
  } catch {
    return;
  }
  if (stat.isSymbolicLink()) return;
  if (stat.isDirectory()) {
    fs.chmodSync(target, 0o700);
    for (const name of fs.readdirSync(target)) lockDown(path.join(target, name));
  } else if ((stat.mode & 0o077) !== 0) {
    fs.chmodSync(target, 0o600);
  }
}
