import { chmodSync, existsSync, readFileSync, writeFileSync } from "node:fs";
import { randomBytes } from "node:crypto";
import path from "node:path";
import { makePrivateDir } from "../lib/private-files";

// Demo and development need secrets but no one should have to invent them: generate them once
// and keep them in a file git ignores. Production passes real ones through the environment.
export type LocalSecrets = { authSecret: string; encryptionKey: string };

export function loadOrCreateLocalSecrets(dataDir: string): LocalSecrets {
  const file = path.join(dataDir, "local-secrets.json");
  makePrivateDir(dataDir);
  if (existsSync(file)) {
    chmodSync(file, 0o600);
    return JSON.parse(readFileSync(file, "utf8")) as LocalSecrets;
  }
  const secrets: LocalSecrets = {
    authSecret: randomBytes(32).toString("base64url"),
    encryptionKey: `k1:${randomBytes(32).toString("base64")}`,
  };
  writeFileSync(file, JSON.stringify(secrets, null, 2) + "\n", { mode: 0o600 });
  return secrets;
}
