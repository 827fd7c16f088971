import path from "node:path";
import { describe, expect, it } from "vitest";
import { ConfigError, databaseUrl, dataDirectory, parseEnv } from "./env";

describe("configuration", () => {
  it("puts the embedded database in the data directory unless DATABASE_URL names one", () => {
    expect(dataDirectory({})).toBe(path.resolve(".data"));
    expect(databaseUrl({ MAILGRANT_DATA_DIR: ".data/e2e" })).toBe(`pglite:${path.resolve(".data/e2e/pglite")}`);
    expect(databaseUrl({ DATABASE_URL: "postgresql://db/mailgrant", MAILGRANT_DATA_DIR: "x" })).toBe("postgresql://db/mailgrant");
  });

  it("names every bad variable in one line and says what it expects", () => {
    const error = (() => { try { parseEnv({ NODE_ENV: "production", AUTH_MICROSOFT_ENTRA_ID_ID: "not-a-guid", DATABASE_URL: "mysql://x" }); } catch (e) { return e; } })();
    expect(error).toBeInstanceOf(ConfigError);
    const message = (error as Error).message;
    expect(message.split("\n")).toHaveLength(1);
    for (const name of ["AUTH_MICROSOFT_ENTRA_ID_ID", "DATABASE_URL", "AUTH_SECRET", "MAILGRANT_ENCRYPTION_KEYS"]) expect(message).toContain(name);
  });

  it("checks the encryption keys at start, not at the first save", () => {
    expect(() => parseEnv({ MAILGRANT_ENCRYPTION_KEYS: "k1:short" })).toThrow(/^Configuration error: MAILGRANT_ENCRYPTION_KEYS key "k1" must be 32 bytes/);
    expect(() => parseEnv({ MAILGRANT_ENCRYPTION_KEYS: `k1:${Buffer.alloc(32, 1).toString("base64")}` })).not.toThrow();
  });

  it("needs no secrets in demo mode", () => {
    expect(parseEnv({ NODE_ENV: "production", MAILGRANT_DEMO: "1" }).PORT).toBe(3000);
  });
});
