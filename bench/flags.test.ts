import { describe, expect, it, vi } from "vitest";
import { orExit, readFlags } from "./flags";
import { parseOptions } from "./options";
import { parseApiOptions } from "./api-options";
import { parseBridgeOptions } from "./bridge-options";
import { parseConsoleOptions } from "./console-options";

const spec = { values: ["seconds", "pg-url", "out"], booleans: ["pg"] } as const;

describe("readFlags", () => {
  it("reads --name value, --name=value, booleans and BENCH_ variables, the command line first", () => {
    const f = readFlags(["--seconds", "3", "--out=/tmp/x", "--pg"], spec, { BENCH_SECONDS: "9", BENCH_PG_URL: "postgresql://env" });
    expect(f.int("seconds", 10)).toBe(3);
    expect(f.text("out", "bench/results")).toBe("/tmp/x");
    expect(f.text("pg-url", "postgresql://default")).toBe("postgresql://env");
    expect(f.bool("pg")).toBe(true);
    expect(f.bool("help")).toBe(false);
    expect(readFlags(["--help"], spec, {}).bool("help")).toBe(true);
    expect(readFlags(["--pg=false"], spec, {}).bool("pg")).toBe(false);
    expect(readFlags([], spec, { BENCH_PG: "yes" }).bool("pg")).toBe(true);
    expect(readFlags([], spec, {}).get("out")).toBeUndefined();
  });

  it("refuses what it does not know, stray words, bad numbers and a value option left without its value", () => {
    expect(() => readFlags(["--sekonds", "3"], spec, {})).toThrow(/unknown option --sekonds \(see --help\)/);
    expect(() => readFlags(["3"], spec, {})).toThrow(/unexpected argument "3"/);
    expect(() => readFlags(["--seconds", "3.5"], spec, {}).int("seconds", 10)).toThrow(/--seconds must be a whole number ≥ 1, got "3.5"/);
    expect(() => readFlags(["--seconds", "0"], spec, {}).int("seconds", 10, 0)).not.toThrow();
    expect(() => readFlags(["--seconds"], spec, {})).toThrow(/--seconds needs a value/);
    expect(() => readFlags(["--seconds", "--pg"], spec, {})).toThrow(/--seconds needs a value/);
    expect(() => readFlags(["--seconds="], spec, {})).toThrow(/--seconds needs a value/);
  });
});

describe("the benches' options", () => {
  it("keep every '=' of an inline value (a PostgreSQL URL with its query string)", () => {
    const url = "postgresql://bench:pw@db.example:5432/postgres?sslmode=require&application_name=bench";
    expect(parseOptions([`--pg-url=${url}`], {}).pgUrl).toBe(url);
    expect(parseApiOptions([`--pg-url=${url}`], {}).pgUrl).toBe(url);
    expect(parseBridgeOptions([`--pg-url=${url}`], {}).pgUrl).toBe(url);
    expect(parseConsoleOptions([`--pg-url=${url}`], {}).pgUrl).toBe(url);
  });

  it("refuse a value option at the end of the line instead of running with its default", () => {
    expect(() => parseOptions(["--connections"], {})).toThrow(/--connections needs a value/);
    expect(() => parseApiOptions(["--duration"], {})).toThrow(/--duration needs a value/);
    expect(() => parseBridgeOptions(["--seconds"], {})).toThrow(/--seconds needs a value/);
    expect(() => parseConsoleOptions(["--requests"], {})).toThrow(/--requests needs a value/);
  });

  it("still read their own flags and checks", () => {
    expect(parseOptions(["--connections", "200", "--tenants", "10", "--sweeps", "1", "--skip-workers"], {})).toMatchObject({ connections: 200, tenants: 10, sweeps: 1, skipWorkers: true, skipFloor: false, workers: [1, 2, 4] });
    expect(() => parseOptions(["--tenants", "20", "--connections", "10"], {})).toThrow(/--tenants must not exceed/);
    expect(parseApiOptions(["--pg-only", "--duration", "5"], {})).toMatchObject({ embedded: false, postgres: true, duration: 5, warmup: 5 });
    expect(() => parseApiOptions(["--pg-only", "--embedded-only"], {})).toThrow(/exclude each other/);
    expect(parseBridgeOptions(["--seconds", "2", "--rounds", "1", "--idle", "20", "--pg"], {})).toMatchObject({ seconds: 2, rounds: 1, idle: 20, pg: true, port: 4900 });
    expect(parseConsoleOptions(["--embedded", "--connections", "5000"], {})).toMatchObject({ embedded: true, connections: 5000, orgs: 100 });
    expect(() => parseConsoleOptions(["--database", "Bad-Name"], {})).toThrow(/plain PostgreSQL name/);
    for (const parse of [parseOptions, parseApiOptions, parseBridgeOptions, parseConsoleOptions]) expect(parse(["--help"], {}).help).toBe(true);
  });
});

describe("orExit", () => {
  it("a mistyped command line is one line on stderr and exit status 2, without a stack", () => {
    const exits: (number | undefined)[] = [];
    const said: string[] = [];
    const exit = vi.spyOn(process, "exit").mockImplementation(((code?: number) => { exits.push(code); throw new Error("exited"); }) as never);
    const error = vi.spyOn(console, "error").mockImplementation((m: string) => void said.push(m));
    try {
      expect(() => orExit(() => parseBridgeOptions(["--sekonds", "3"], {}), "bridge")).toThrow("exited");
      expect(() => orExit(() => parseConsoleOptions(["--database", "Bad-Name"], {}), "console")).toThrow("exited");
      expect(exits).toEqual([2, 2]);
      expect(said).toEqual(["bench:bridge: unknown option --sekonds (see --help)", expect.stringMatching(/^bench:console: --database must be a plain PostgreSQL name/)]);
      // Anything else is a real failure and keeps its stack.
      expect(() => orExit(() => { throw new TypeError("boom"); })).toThrow(TypeError);
    } finally {
      exit.mockRestore();
      error.mockRestore();
    }
  });
});
