// The part of autocannon 9's programmatic API the token API bench uses (the package ships no types).
declare module "autocannon" {
  type Stats = { average: number; mean: number; stddev: number; min: number; max: number; total: number; p50: number; p90: number; p99: number };
  export type Options = { url: string; connections?: number; duration?: number; method?: string; headers?: Record<string, string>; body?: string; title?: string };
  export type Result = {
    title?: string;
    duration: number;
    errors: number;
    timeouts: number;
    non2xx: number;
    statusCodeStats: Record<string, { count: number }>;
    latency: Stats;
    requests: Stats & { sent: number };
  };
  export default function autocannon(opts: Options): Promise<Result>;
}
