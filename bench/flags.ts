// The benches' one reader of their command lines: `--name value`, `--name=value` and boolean
// `--name`, each also readable from the environment (--pg-url ↔ BENCH_PG_URL), the command line
// first. Unknown options, stray words and a value option left without its value are refused, so a
// mistyped run stops at once instead of running for an hour with a default.

/** The PostgreSQL server the benches use unless told (--pg-url). */
export const DEFAULT_PG_URL = "postgresql://postgres:postgres@127.0.0.1:5432/postgres";

/** The environment the BENCH_ variables are read from (process.env, or a test's own). */
export type BenchEnv = Readonly<Record<string, string | undefined>>;

export type FlagSpec<V extends string, B extends string> = { values: readonly V[]; booleans?: readonly B[] };

export type Flags<V extends string, B extends string> = {
  /** The option's text, from the command line or BENCH_<NAME>; undefined when neither gives one. */
  get(name: V): string | undefined;
  text(name: V, fallback: string): string;
  /** A whole number ≥ min (1 unless told), or the fallback when it is not given. */
  int(name: V, fallback: number, min?: number): number;
  /** Given bare, or as 1/true/yes (`--pg=false` and BENCH_PG=0 are off). */
  bool(name: B | "help"): boolean;
};

/** A command line the bench cannot run with: said in one line, without a stack (`orExit`). */
export class FlagError extends Error {}

/**
 * Reads a bench's options with `read`; a mistyped command line prints its one-line reason and
 * exits with status 2 (a usage error) instead of a stack trace.
 */
export function orExit<T>(read: () => T, bench = process.argv[1]?.replace(/^.*\//, "").replace(/\.ts$/, "") ?? "bench"): T {
  try {
    return read();
  } catch (e) {
    if (!(e instanceof FlagError)) throw e;
    console.error(`bench:${bench}: ${e.message}`);
    process.exit(2);
  }
}

const envName = (name: string) => `BENCH_${name.toUpperCase().replace(/-/g, "_")}`;

export function readFlags<V extends string, B extends string = never>(argv: readonly string[], spec: FlagSpec<V, B>, env: BenchEnv = process.env): Flags<V, B> {
  const values = new Set<string>(spec.values);
  const booleans = new Set<string>([...(spec.booleans ?? []), "help"]);
  const given = new Map<string, string>();
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!;
    if (!a.startsWith("--")) throw new FlagError(`unexpected argument "${a}" (see --help)`);
    const eq = a.indexOf("=");
    const name = eq === -1 ? a.slice(2) : a.slice(2, eq);
    const inline = eq === -1 ? undefined : a.slice(eq + 1);
    if (booleans.has(name)) {
      given.set(name, inline ?? "1");
      continue;
    }
    if (!values.has(name)) throw new FlagError(`unknown option --${name} (see --help)`);
    const value = inline ?? (argv[i + 1]?.startsWith("--") ? undefined : argv[++i]);
    if (!value) throw new FlagError(`--${name} needs a value (see --help)`);
    given.set(name, value);
  }
  const get = (name: string) => given.get(name) ?? env[envName(name)];
  return {
    get,
    text: (name, fallback) => get(name) || fallback,
    int(name, fallback, min = 1) {
      const v = get(name);
      if (v === undefined || v === "") return fallback;
      const n = Number(v);
      if (!Number.isInteger(n) || n < min) throw new FlagError(`--${name} must be a whole number ≥ ${min}, got "${v}"`);
      return n;
    },
    bool: (name) => ["1", "true", "yes"].includes(String(get(name) ?? "").toLowerCase()),
  };
}
