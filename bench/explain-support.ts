// The query plans of support's connections table (lib/support/connection-list.ts) on a seeded
// PostgreSQL: every SQL statement a view runs, under EXPLAIN (ANALYZE, BUFFERS), with the indexes
// it used. Not a timing test: a plan that reads the wrong index or sorts the whole table shows up
// here by name. Usage: DATABASE_URL=postgresql://…/db npx tsx bench/explain-support.ts [--full]
import { Prisma } from "@/generated/prisma/client";
import { createPrismaClient } from "@/lib/db-client";
import type { Db } from "@/lib/db-client";
import { listSupportConnections, parseSupportQuery } from "@/lib/support/connection-list";
import { orExit, readFlags } from "./flags";

const flags = orExit(() => readFlags(process.argv.slice(2), { values: ["only"], booleans: ["full"] }), "explain-support");
if (flags.bool("help")) {
  console.log("DATABASE_URL=postgresql://…/db tsx bench/explain-support.ts [--full (each plan in full)] [--only NAME (the views whose name contains it)]");
  process.exit(0);
}
const full = flags.bool("full");
const only = flags.get("only");
const url = process.env.DATABASE_URL;
if (!url?.startsWith("postgres")) throw new Error("Set DATABASE_URL to a seeded PostgreSQL database (see bench/README.md).");

const database = await createPrismaClient(url);
const real = database.prisma;
const plans: string[] = [];

// A stand-in client whose $queryRaw explains the statement before running it.
const explaining = new Proxy(real, {
  get(target, prop, receiver) {
    if (prop !== "$queryRaw") return Reflect.get(target, prop, receiver);
    return async (strings: TemplateStringsArray, ...values: unknown[]) => {
      const sql = Prisma.sql(strings, ...values);
      const rows = await target.$queryRawUnsafe<{ "QUERY PLAN": string }[]>(`EXPLAIN (ANALYZE, BUFFERS) ${sql.text}`, ...sql.values);
      const text = rows.map((r) => r["QUERY PLAN"]);
      const indexes = [...new Set(text.flatMap((l) => [...l.matchAll(/(?:Index Only Scan|Index Scan|Bitmap Index Scan)(?: Backward)? (?:using|on) "?(\w+)"?/g)].map((m) => m[1])))];
      const seq = text.filter((l) => /Seq Scan on "?Connection"?/.test(l)).length;
      const sort = text.filter((l) => /^\s*(->\s*)?(Incremental )?Sort /.test(l)).length;
      const time = text.find((l) => l.startsWith("Execution Time"));
      plans.push(`    ${sql.text.replace(/\s+/g, " ").slice(0, 90)}…\n      ${time} · indexes: ${indexes.join(", ") || "none"}${seq ? ` · SEQ SCAN on Connection` : ""}${sort ? ` · ${sort} sort node(s)` : ""}`);
      if (full) plans.push(text.map((l) => `      | ${l}`).join("\n"));
      return target.$queryRaw(strings, ...values);
    };
  },
}) as Db;

async function view(name: string, params: Record<string, string>, pages = 1) {
  if (only && !name.includes(only)) return;
  plans.length = 0;
  let q = parseSupportQuery(params);
  let label = "";
  for (let p = 1; p <= pages; p++) {
    const list = await listSupportConnections(explaining, q);
    label = `${list.start}–${list.end} of ${list.capped ? "more than " : ""}${list.total}`;
    if (!list.next) break;
    if (p < pages) { plans.length = 0; q = parseSupportQuery({ ...params, after: list.next }); }
  }
  console.log(`${name} (${label})\n${plans.join("\n")}`);
}

const firstOrg = await real.org.findFirst({ orderBy: { slug: "asc" }, select: { slug: true } });
const tenant = await real.connection.findFirst({ select: { tenantId: true, mailbox: true } });

await view("first page, newest health change first", {});
await view("page 50 of the unfiltered view", {}, 50);
await view("filter: failing", { health: "FAILING" });
await view("page 20 of failing, last check", { health: "FAILING", sort: "lastCheck" }, 20);
await view("filter: failing needs re-consent in gcc-high", { health: "FAILING", class: "needs_reconsent", cloud: "gcc-high" });
await view("filter: one org by slug, sorted by mailbox", { org: firstOrg!.slug, sort: "mailbox" });
await view("filter: SMTP failed", { protocol: "smtp", result: "FAILED" });
await view("search: error code AADSTS50173", { q: "AADSTS50173" });
await view("search: error code smtp_auth_disabled, by org", { q: "smtp_auth_disabled", sort: "org" });
await view("search: tenant id", { q: tenant!.tenantId });
await view("search: whole mailbox address", { q: tenant!.mailbox });
await view("search: part of a mailbox", { q: "user123@", in: "mailbox" });
await view("search: org name", { q: "Org 77 Ltd", in: "org" });
await view("search: any text (org or mailbox)", { q: "Org 77" });
await view("sort: org, page 10", { sort: "org" }, 10);
await view("sort: mailbox descending, page 10", { sort: "mailbox", dir: "desc" }, 10);
await database.close();
