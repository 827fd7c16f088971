// Seeds the console bench's fleet with set-based SQL (INSERT … SELECT over generate_series), on
// PostgreSQL or PGlite alike: orgs, members, integrations, connections with their health and
// per-protocol columns, checks with steps like lib/checks/record.ts stores them, token events and
// audit events. The secondary indexes of the big tables are dropped first and rebuilt after (the
// migrations' own definitions, read back from pg_indexes), which is how a bulk load is done.
import { protocolResults } from "@/lib/checks/record";
import { PURPOSE_SETS, SCENARIOS, planOrgs, protocolCells, stepsFor, type FleetSize } from "./console-plan";

/** What the seeder needs of a database connection (pg.Client and PGlite both fit behind it). */
export type Sql = { exec: (sql: string) => Promise<void>; rows: <T>(sql: string) => Promise<T[]> };

/** Who and what the measurements use: found after seeding (or in a database seeded before). */
export type Fixture = {
  supportUserId: string;
  ownerUserId: string;
  largestOrg: { id: string; slug: string; connections: number };
  /** A failing mailbox of the largest org (the timeline page), and a mailbox to search for. */
  mailboxId: string;
  mailbox: string;
  counts: Record<string, number>;
};

export const SUPPORT_EMAIL = "support@mailgrant-bench.example";
export const OWNER_EMAIL = "owner@mailgrant-bench.example";

const lit = (s: string | null) => (s === null ? "NULL" : `'${s.replace(/'/g, "''")}'`);
const intArray = (a: number[]) => `'{${a.join(",")}}'::int[]`;
const WORDS = ["contoso", "fabrikam", "northwind", "adatum", "litware", "tailspin", "wingtip", "proseware", "lucerne", "coho", "alpine", "fourth", "margie", "relecloud", "trey", "woodgrove", "humongous", "wide", "blue", "graphic"];
const FIRST = ["anna", "ben", "carla", "dev", "elif", "farid", "grace", "hugo", "ines", "jon", "kira", "liam", "maya", "noah", "olga", "pavel", "quinn", "rosa", "sven", "tara", "uma", "victor", "wen", "yusuf", "zoe"];
const LAST = ["adams", "berg", "chen", "diaz", "evans", "fischer", "garcia", "hansen", "ito", "jansen", "kowalski", "lopez", "moreau", "novak", "okafor", "petrov", "rossi", "silva", "tanaka", "ueda", "varga", "weber", "xu", "yilmaz", "zimmer"];
const pgArray = (a: readonly string[]) => `ARRAY[${a.map(lit).join(",")}]`;

type Log = (msg: string) => void;

export async function seedFleet(sql: Sql, size: FleetSize, log: Log): Promise<{ ms: number; phases: Record<string, number> }> {
  const started = Date.now();
  const phases: Record<string, number> = {};
  const phase = async (name: string, text: string) => {
    const t = Date.now();
    await sql.exec(text);
    phases[name] = Date.now() - t;
    log(`seed: ${name} ${((Date.now() - t) / 1000).toFixed(1)} s`);
  };
  const orgs = planOrgs(size);
  // Every row is consistent by construction: skip the per-row foreign key triggers (a bulk load's
  // usual setting; the bench connects as a superuser, as the default postgres user is).
  await sql.exec("SET session_replication_role = replica");
  await sql.exec("SET jit = off").catch(() => undefined);
  const secondary = await sql.rows<{ indexname: string; indexdef: string }>(
    `SELECT indexname, indexdef FROM pg_indexes WHERE schemaname = 'public' AND tablename IN ('Connection', 'Check', 'ConnectionEvent', 'AuditEvent', 'Membership', 'User') AND indexname NOT LIKE '%\\_pkey'`,
  );
  await phase("drop secondary indexes", secondary.map((i) => `DROP INDEX "${i.indexname}";`).join("\n"));

  const scenarioRows = SCENARIOS.map((s, i) => {
    const lo = SCENARIOS.slice(0, i).reduce((n, x) => n + x.perMille, 0);
    return `(${i}, ${lo}, ${lo + s.perMille}, ${lit(s.health)}, ${lit(s.class)}, ${lit(s.code)}, ${lit(s.reason)}, ${lit(s.status)}, ${lit(s.failsAt)}, ${lit(s.outcome)})`;
  });
  const protocolRows = SCENARIOS.flatMap((s, i) =>
    PURPOSE_SETS.map((_, p) => {
      const c = protocolCells(s, p);
      const v = (x: (typeof c)["graph"]) => `${lit(x?.result ?? null)}, ${lit(x?.code ?? null)}`;
      return `(${i}, ${p}, ${v(c.graph)}, ${v(c.imap)}, ${v(c.pop)}, ${v(c.smtp)})`;
    }),
  );
  const stepRows = SCENARIOS.flatMap((s, i) =>
    (["PASSED", "DEGRADED", "FAILED"] as const).flatMap((outcome) =>
      PURPOSE_SETS.flatMap((_, p) =>
        [0, 1, 2, 3].map((variant) => {
          const steps = stepsFor(s, outcome, p, variant);
          const ms = steps.reduce((n, x) => n + (x.durationMs ?? 0), 0);
          // Check.results as lib/checks/record.ts stores it: { protocol: "OK" | "FAILED" | "SKIPPED" }.
          const results = Object.fromEntries(Object.entries(protocolResults(steps)).map(([proto, r]) => [proto, r.result]));
          return `(${i}, ${lit(outcome)}, ${p}, ${variant}, ${lit(JSON.stringify(steps))}::jsonb, ${ms}, ${lit(JSON.stringify(results))}::jsonb)`;
        }),
      ),
    ),
  );
  const timeoutIdx = SCENARIOS.findIndex((s) => s.key === "timeout");
  await phase(
    "plan",
    `
    DROP TABLE IF EXISTS bench_org, bench_tenant, bench_int, bench_scen, bench_proto, bench_steps, bench_conn;
    CREATE TEMP TABLE bench_scen (idx int, lo int, hi int, health text, class text, code text, reason text, status text, fails_at text, outcome text);
    INSERT INTO bench_scen VALUES ${scenarioRows.join(",\n")};
    CREATE TEMP TABLE bench_proto (scen int, pset int, graph_r text, graph_c text, imap_r text, imap_c text, pop_r text, pop_c text, smtp_r text, smtp_c text);
    INSERT INTO bench_proto VALUES ${protocolRows.join(",\n")};
    CREATE TEMP TABLE bench_steps (scen int, outcome text, pset int, variant int, steps jsonb, ms int, results jsonb);
    INSERT INTO bench_steps VALUES ${stepRows.join(",\n")};
    CREATE TEMP TABLE bench_org AS
      SELECT idx::int AS idx, size, ntenants, nints, gen_random_uuid() AS id,
             (${pgArray(WORDS)})[1 + idx % ${WORDS.length}] || '-' || idx AS slug,
             initcap((${pgArray(WORDS)})[1 + idx % ${WORDS.length}]) || ' ' || idx AS name,
             now() - make_interval(days => (60 + idx % 300)::int) AS created
      FROM unnest(${intArray(orgs.map((o) => o.size))}, ${intArray(orgs.map((o) => o.tenants))}, ${intArray(orgs.map((o) => o.integrations))}) WITH ORDINALITY AS t(size, ntenants, nints, idx);
    CREATE TEMP TABLE bench_tenant AS
      SELECT o.idx AS org_idx, j, gen_random_uuid() AS tid, (${pgArray(WORDS)})[1 + (o.idx + j) % ${WORDS.length}] || (o.idx * 1000 + j) || '.onmicrosoft.com' AS domain
      FROM bench_org o, generate_series(0, o.ntenants - 1) AS j;
    CREATE TEMP TABLE bench_int AS
      SELECT o.idx AS org_idx, s, gen_random_uuid() AS id, s % 2 AS pset FROM bench_org o, generate_series(0, o.nints - 1) AS s;
    CREATE TEMP TABLE bench_conn AS
      SELECT gen_random_uuid() AS id, x.idx AS org_idx, x.id AS org_id, x.n, x.created, t.tid, t.domain, i.id AS int_id, i.pset, sc.idx AS scen,
             now() - make_interval(secs => (x.h % 86400)) AS last_check,
             1 + x.h % 4 AS nfail
      FROM (SELECT o.*, n, abs(hashtext('c' || o.idx || ':' || n)) % 1000 AS b, abs(hashtext('h' || o.idx || ':' || n)) AS h
            FROM bench_org o, generate_series(0, o.size - 1) AS n) x
      JOIN bench_tenant t ON t.org_idx = x.idx AND t.j = x.n % x.ntenants
      JOIN bench_int i ON i.org_idx = x.idx AND i.s = t.j % x.nints
      JOIN bench_scen sc ON x.b >= sc.lo AND x.b < sc.hi;
    ANALYZE bench_scen; ANALYZE bench_proto; ANALYZE bench_steps; ANALYZE bench_org; ANALYZE bench_tenant; ANALYZE bench_int; ANALYZE bench_conn;
    `,
  );

  await phase(
    "orgs, users, members",
    `
    INSERT INTO "User" (id, "tenantId", "objectId", email, name, "platformRole", "createdAt", "lastSignInAt")
      VALUES (gen_random_uuid(), gen_random_uuid(), gen_random_uuid(), ${lit(SUPPORT_EMAIL)}, 'Bench Support', 'SUPPORT', now(), now()),
             (gen_random_uuid(), gen_random_uuid(), gen_random_uuid(), ${lit(OWNER_EMAIL)}, 'Bench Owner', NULL, now(), now());
    INSERT INTO "Org" (id, slug, name, "tenantId", "createdAt", "checkIntervalMinutes")
      SELECT o.id, o.slug, o.name, t.tid, o.created, 1440 FROM bench_org o JOIN bench_tenant t ON t.org_idx = o.idx AND t.j = 0;
    -- Members: the bench owner owns the largest org; every org has an owner of its own and, by size, a few more people.
    CREATE TEMP TABLE bench_member AS
      SELECT o.idx AS org_idx, o.id AS org_id, m, gen_random_uuid() AS user_id, t.tid,
             (${pgArray(FIRST)})[1 + (o.idx + m) % ${FIRST.length}] || '.' || (${pgArray(LAST)})[1 + (o.idx * 7 + m) % ${LAST.length}] || '@' || t.domain AS email,
             CASE WHEN m = 0 THEN 'OWNER' WHEN m = 1 THEN 'ADMIN' WHEN m % 3 = 0 THEN 'VIEWER' ELSE 'MEMBER' END AS role
      FROM bench_org o JOIN bench_tenant t ON t.org_idx = o.idx AND t.j = 0,
           generate_series(0, CASE WHEN o.size >= 1000 THEN 12 WHEN o.size >= 50 THEN 4 ELSE 1 END) AS m;
    INSERT INTO "User" (id, "tenantId", "objectId", email, name, "createdAt", "lastSignInAt")
      SELECT user_id, tid, gen_random_uuid(), email, initcap(replace(split_part(email, '@', 1), '.', ' ')), now() - interval '30 days', now() - make_interval(hours => m) FROM bench_member;
    INSERT INTO "Membership" (id, "orgId", "userId", role, "createdAt")
      SELECT gen_random_uuid(), org_id, user_id, role::"Role", now() - interval '30 days' FROM bench_member;
    INSERT INTO "Membership" (id, "orgId", "userId", role, "createdAt")
      SELECT gen_random_uuid(), o.id, u.id, 'OWNER', now() FROM bench_org o, "User" u WHERE o.idx = 1 AND u.email = ${lit(OWNER_EMAIL)};
    UPDATE "Org" o SET "createdById" = m.user_id FROM bench_member m WHERE m.org_id = o.id AND m.m = 0;
    ANALYZE bench_member;
    `,
  );

  await phase(
    "integrations",
    `
    INSERT INTO "Integration" (id, "orgId", name, cloud, "tenantMode", tenant, "clientId", "credentialType", "secretEncrypted", "secretExpiresAt", "secretUpdatedAt",
                               purposes, "extraScopes", status, "lastCheckedAt", "lastCheck", "createdAt", "updatedAt")
      SELECT i.id, o.id, CASE i.s WHEN 0 THEN 'Helpdesk' WHEN 1 THEN 'Graph reader' WHEN 2 THEN 'Mail relay' ELSE 'Archive ' || i.s END,
             'global', CASE WHEN o.ntenants > o.nints THEN 'organizations' ELSE 'single' END, t.domain, gen_random_uuid(), 'SECRET',
             'bench:not-a-ciphertext', now() + make_interval(days => (30 + (o.idx * 13 + i.s * 71) % 700)::int), now() - interval '60 days',
             CASE i.pset WHEN 0 THEN ${pgArray(PURPOSE_SETS[0])} ELSE ${pgArray(PURPOSE_SETS[1])} END, '{}', 'CREDENTIALS_OK', now() - interval '2 hours',
             '{"ok": true, "steps": [{"id": "token-graph", "status": "ok"}]}'::jsonb, o.created, now()
      FROM bench_int i JOIN bench_org o ON o.idx = i.org_idx JOIN bench_tenant t ON t.org_idx = i.org_idx AND t.j = 0;
    `,
  );

  await phase(
    "connections",
    `
    INSERT INTO "Connection" (id, "orgId", "integrationId", mailbox, "mailboxKind", "tenantId", "objectId", upn, "displayName", "consentType",
        "requestedScopes", "grantedScopes", "consentedConfigVersion", "refreshTokenEncrypted", "refreshTokenIssuedAt", "refreshTokenLastUsedAt",
        status, "statusReason", "lastRefreshedAt", "lastFailure", health, "healthClass", "healthCode", "healthReason", "healthChangedAt", "lastCheckAt", "nextCheckAt",
        "graphResult", "graphCode", "graphCheckedAt", "imapResult", "imapCode", "imapCheckedAt", "popResult", "popCode", "popCheckedAt", "smtpResult", "smtpCode", "smtpCheckedAt",
        "connectedAt", "createdAt", "updatedAt")
      SELECT c.id, c.org_id, c.int_id, lower(c.mb), CASE WHEN c.n % 20 = 7 THEN 'SHARED' ELSE 'USER' END::"MailboxKind", c.tid, gen_random_uuid(), lower(c.mb), c.dn,
             CASE WHEN c.n % 10 = 3 THEN 'ADMIN' WHEN c.n % 20 = 7 THEN 'DELEGATE' ELSE 'USER' END::"ConsentType",
             ARRAY['offline_access', 'https://graph.microsoft.com/Mail.Read'], ARRAY['offline_access', 'https://graph.microsoft.com/Mail.Read'], 1,
             'bench:not-a-ciphertext', c.created, CASE WHEN sc.code = 'inactivity_deadline' THEN now() - interval '81 days' ELSE c.last_check END,
             sc.status::"ConnectionStatus", CASE WHEN sc.status = 'NEEDS_RECONSENT' THEN sc.reason END,
             CASE WHEN sc.fails_at = 'refresh' THEN c.hc - interval '3 days' WHEN sc.outcome IS NOT NULL THEN c.last_check END,
             CASE WHEN sc.fails_at = 'refresh' THEN jsonb_build_object('code', sc.code, 'classification', sc.class, 'at', to_char(c.hc AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"')) END,
             sc.health::"Health", sc.class, sc.code, sc.reason, c.hc,
             CASE WHEN sc.outcome IS NOT NULL THEN c.last_check END, c.last_check + interval '1 day',
             p.graph_r::"ProtocolResult", p.graph_c, CASE WHEN p.graph_r IS NOT NULL THEN c.last_check END,
             p.imap_r::"ProtocolResult", p.imap_c, CASE WHEN p.imap_r IS NOT NULL THEN c.last_check END,
             p.pop_r::"ProtocolResult", p.pop_c, CASE WHEN p.pop_r IS NOT NULL THEN c.last_check END,
             p.smtp_r::"ProtocolResult", p.smtp_c, CASE WHEN p.smtp_r IS NOT NULL THEN c.last_check END,
             c.created, c.created, now()
      FROM (SELECT bc.*,
                   (${pgArray(FIRST)})[1 + bc.n % ${FIRST.length}] || '.' || (${pgArray(LAST)})[1 + (bc.n / ${FIRST.length}) % ${LAST.length}] || '.' || bc.n || '@' || bc.domain AS mb,
                   initcap((${pgArray(FIRST)})[1 + bc.n % ${FIRST.length}]) || ' ' || initcap((${pgArray(LAST)})[1 + (bc.n / ${FIRST.length}) % ${LAST.length}]) AS dn,
                   CASE WHEN s.outcome = 'FAILED' THEN bc.last_check - make_interval(days => 3 * (bc.nfail - 1)) WHEN s.outcome = 'DEGRADED' THEN bc.last_check ELSE bc.created END AS hc
            FROM bench_conn bc JOIN bench_scen s ON s.idx = bc.scen) c
      JOIN bench_scen sc ON sc.idx = c.scen
      JOIN bench_proto p ON p.scen = c.scen AND p.pset = c.pset;
    `,
  );

  const checkDays = 30;
  await phase(
    "checks",
    `
    INSERT INTO "Check" (id, "connectionId", "orgId", trigger, "startedAt", "durationMs", outcome, steps, results, "failureCode", "failureClass", health)
      SELECT gen_random_uuid(), x.id, x.org_id, CASE WHEN x.k % 17 = 5 THEN 'MANUAL' ELSE 'SCHEDULED' END::"CheckTrigger",
             x.last_check - make_interval(secs => x.k * ${checkDays * 86400}.0 / greatest(x.per, 1) + (x.k * 611) % 3600),
             st.ms + (x.k * 97) % 400, x.outcome::"CheckOutcome", st.steps, st.results,
             CASE WHEN x.outcome <> 'PASSED' THEN ts.code END, CASE WHEN x.outcome <> 'PASSED' THEN ts.class END,
             CASE x.outcome WHEN 'FAILED' THEN 'FAILING' WHEN 'DEGRADED' THEN 'DEGRADED' ELSE CASE WHEN x.k = 0 AND x.health = 'AT_RISK' THEN 'AT_RISK' ELSE 'HEALTHY' END END::"Health"
      FROM (
        SELECT c.*, k,
               CASE WHEN s.outcome = 'FAILED' AND k < c.nfail THEN 'FAILED'
                    WHEN s.outcome = 'DEGRADED' AND k = 0 THEN 'DEGRADED'
                    WHEN k > 0 AND abs(hashtext(c.id::text || k)) % 40 = 0 THEN 'DEGRADED'
                    ELSE 'PASSED' END AS outcome,
               CASE WHEN s.outcome IN ('FAILED', 'DEGRADED') AND k < c.nfail THEN c.scen ELSE ${timeoutIdx} END AS step_scen,
               s.health
        FROM (SELECT bc.*, row_number() OVER () AS r, count(*) OVER () AS total,
                     ${size.checks} / count(*) OVER () AS base,
                     ${size.checks} / count(*) OVER () + CASE WHEN row_number() OVER () <= ${size.checks} % count(*) OVER () THEN 1 ELSE 0 END AS per
              FROM bench_conn bc JOIN bench_scen s0 ON s0.idx = bc.scen WHERE s0.outcome IS NOT NULL) c
        JOIN bench_scen s ON s.idx = c.scen,
        generate_series(0, c.per - 1) AS k
      ) x
      JOIN bench_steps st ON st.scen = CASE WHEN x.outcome = 'PASSED' THEN x.scen ELSE x.step_scen END AND st.outcome = x.outcome AND st.pset = x.pset AND st.variant = x.k % 4
      JOIN bench_scen ts ON ts.idx = CASE WHEN x.outcome = 'PASSED' THEN x.scen ELSE x.step_scen END;
    `,
  );

  await phase(
    "connection events",
    `
    INSERT INTO "ConnectionEvent" (id, "connectionId", kind, resource, classification, code, detail, "createdAt")
      SELECT gen_random_uuid(), c.id, 'refreshed', r.resource, NULL, NULL,
             jsonb_build_object('scopes', ARRAY['offline_access', 'Mail.Read'], 'expiresAt', to_char((c.last_check - make_interval(days => d) + interval '1 hour') AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"'), 'attempts', 1),
             c.last_check - make_interval(days => d)
      FROM bench_conn c JOIN bench_scen s ON s.idx = c.scen,
           (VALUES ('graph', 0), ('outlook', 1)) AS r(resource, pset_min),
           generate_series(0, 6, 3) AS d
      WHERE s.outcome IS NOT NULL AND (r.pset_min = 0 OR c.pset = 0) AND (s.fails_at IS DISTINCT FROM 'refresh' OR d >= 3 * c.nfail);
    INSERT INTO "ConnectionEvent" (id, "connectionId", kind, resource, classification, code, detail, "createdAt")
      SELECT gen_random_uuid(), c.id, 'refresh_failed', 'graph', s.class, s.code, jsonb_build_object('error', 'invalid_grant', 'description', s.code || ': ' || s.reason), c.last_check - make_interval(days => 3 * k)
      FROM bench_conn c JOIN bench_scen s ON s.idx = c.scen, generate_series(0, 2) AS k
      WHERE s.fails_at = 'refresh' AND k < c.nfail;
    INSERT INTO "ConnectionEvent" (id, "connectionId", kind, resource, classification, code, detail, "createdAt")
      SELECT gen_random_uuid(), c.id, CASE WHEN s.outcome = 'FAILED' THEN 'test_failed' ELSE 'test_passed' END, NULL, NULL, CASE WHEN s.outcome = 'FAILED' THEN s.code END,
             jsonb_build_object('steps', st.steps), c.last_check - interval '2 hours'
      FROM bench_conn c JOIN bench_scen s ON s.idx = c.scen JOIN bench_steps st ON st.scen = c.scen AND st.outcome = COALESCE(s.outcome, 'PASSED') AND st.pset = c.pset AND st.variant = 0
      WHERE s.outcome IS NOT NULL AND c.n % 10 = 1;
    `,
  );

  await phase(
    "audit events",
    `
    INSERT INTO "AuditEvent" (id, "orgId", "actorId", "actorEmail", action, "targetType", "targetId", data, ip, "userAgent", "createdAt")
      SELECT gen_random_uuid(), o.id, m.user_id, m.email, 'org.created', 'org', o.id::text, jsonb_build_object('name', o.name, 'slug', o.slug), '203.0.113.10', 'Mozilla/5.0 (bench)', o.created
      FROM bench_org o JOIN bench_member m ON m.org_id = o.id AND m.m = 0;
    INSERT INTO "AuditEvent" (id, "orgId", "actorId", "actorEmail", action, "targetType", "targetId", data, ip, "userAgent", "createdAt")
      SELECT gen_random_uuid(), i."orgId", m.user_id, m.email, 'integration.created', 'integration', i.id::text, jsonb_build_object('name', i.name, 'cloud', i.cloud, 'purposes', i.purposes), '203.0.113.10', 'Mozilla/5.0 (bench)', i."createdAt"
      FROM "Integration" i JOIN bench_member m ON m.org_id = i."orgId" AND m.m = 0;
    INSERT INTO "AuditEvent" (id, "orgId", "actorId", "actorEmail", action, "targetType", "targetId", data, ip, "userAgent", "createdAt")
      SELECT gen_random_uuid(), m.org_id, o.user_id, o.email, 'invitation.created', 'invitation', gen_random_uuid()::text, jsonb_build_object('email', m.email, 'role', m.role), '203.0.113.10', 'Mozilla/5.0 (bench)', now() - interval '31 days'
      FROM bench_member m JOIN bench_member o ON o.org_id = m.org_id AND o.m = 0 WHERE m.m > 0;
    INSERT INTO "AuditEvent" (id, "orgId", "actorId", "actorEmail", action, "targetType", "targetId", data, ip, "userAgent", "createdAt")
      SELECT gen_random_uuid(), c."orgId", NULL, c.upn, 'connection.created', 'connection', c.id::text,
             jsonb_build_object('mailbox', c.mailbox, 'integrationId', c."integrationId", 'consentType', c."consentType", 'signedInAs', c.upn, 'grantedScopes', c."grantedScopes"),
             '198.51.100.' || (abs(hashtext(c.id::text)) % 250), 'Mozilla/5.0 (bench)', c."createdAt"
      FROM "Connection" c;
    INSERT INTO "AuditEvent" (id, "orgId", "actorId", "actorEmail", action, "targetType", "targetId", data, ip, "userAgent", "createdAt")
      SELECT gen_random_uuid(), c.org_id, m.user_id, m.email, 'connection.tested', 'connection', c.id::text, jsonb_build_object('ok', s.outcome <> 'FAILED'), '203.0.113.11', 'Mozilla/5.0 (bench)', c.last_check - interval '2 hours'
      FROM bench_conn c JOIN bench_scen s ON s.idx = c.scen JOIN bench_member m ON m.org_id = c.org_id AND m.m = 1
      WHERE s.outcome IS NOT NULL AND c.n % 10 = 1;
    `,
  );

  // The health chart's history: the hourly snapshots the worker's roll-up job would have taken over
  // the last 30 days, per org and for the fleet (today's counts, with a few failures coming and going).
  // The current hour is runRollup's (bench/console.ts runs it after seeding).
  await phase(
    "health snapshots",
    `
    CREATE TEMP TABLE bench_health AS
      SELECT "orgId"::text AS scope, count(*) FILTER (WHERE health = 'HEALTHY')::int AS healthy, count(*) FILTER (WHERE health = 'DEGRADED')::int AS degraded,
             count(*) FILTER (WHERE health = 'AT_RISK')::int AS at_risk, count(*) FILTER (WHERE health = 'FAILING')::int AS failing, count(*) FILTER (WHERE health = 'UNKNOWN')::int AS unknown,
             count(*) FILTER (WHERE health = 'FAILING' AND "healthClass" = 'needs_reconsent')::int AS f_reconsent,
             count(*) FILTER (WHERE health = 'FAILING' AND "healthClass" = 'blocked')::int AS f_blocked,
             count(*) FILTER (WHERE health = 'FAILING' AND "healthClass" = 'misconfigured')::int AS f_misconfigured
      FROM "Connection" GROUP BY "orgId";
    INSERT INTO bench_health SELECT 'fleet', sum(healthy), sum(degraded), sum(at_risk), sum(failing), sum(unknown), sum(f_reconsent), sum(f_blocked), sum(f_misconfigured) FROM bench_health;
    INSERT INTO "HealthHourly" (scope, hour, healthy, degraded, "atRisk", failing, unknown, "failingByClass")
      SELECT h.scope, date_trunc('hour', now() AT TIME ZONE 'UTC') - make_interval(hours => back),
             h.healthy + least(h.failing, v), h.degraded, h.at_risk, h.failing - least(h.failing, v), h.unknown,
             jsonb_build_object('needs_reconsent', greatest(0, h.f_reconsent - least(h.failing, v)), 'blocked', h.f_blocked, 'misconfigured', h.f_misconfigured)
      FROM bench_health h, generate_series(1, 30 * 24 - 1) AS back,
           LATERAL (SELECT (abs(hashtext(h.scope || back)) % 5) * back / 200 AS v) AS wobble;
    `,
  );

  await phase("rebuild indexes", secondary.map((i) => `${i.indexdef};`).join("\n"));
  // VACUUM too, not only ANALYZE: a bulk load leaves the visibility map empty, so no index-only scan
  // would run until autovacuum came by, which a production database has long had. VACUUM refuses
  // to run in a multi-statement string (an implicit transaction): one statement each.
  const t = Date.now();
  for (const table of ["User", "Membership", "Org", "Integration", "Connection", "Check", "ConnectionEvent", "AuditEvent", "HealthHourly"]) await sql.exec(`VACUUM (ANALYZE) "${table}"`);
  phases["vacuum analyze"] = Date.now() - t;
  log(`seed: vacuum analyze ${((Date.now() - t) / 1000).toFixed(1)} s`);
  await sql.exec("SET session_replication_role = DEFAULT");
  return { ms: Date.now() - started, phases };
}

/** The users, org and mailboxes the measurements use, read from a seeded database. */
export async function readFixture(sql: Sql): Promise<Fixture> {
  const [users] = await sql.rows<{ support: string | null; owner: string | null }>(
    `SELECT (SELECT id::text FROM "User" WHERE email = ${lit(SUPPORT_EMAIL)}) AS support, (SELECT id::text FROM "User" WHERE email = ${lit(OWNER_EMAIL)}) AS owner`,
  );
  if (!users?.support || !users.owner) throw new Error("the database has no bench users: it was not seeded by this bench (drop it, or leave out --reuse)");
  const [org] = await sql.rows<{ id: string; slug: string; n: string }>(
    `SELECT o.id::text, o.slug, count(c.id)::text AS n FROM "Org" o JOIN "Membership" m ON m."orgId" = o.id AND m."userId" = '${users.owner}' LEFT JOIN "Connection" c ON c."orgId" = o.id GROUP BY o.id, o.slug ORDER BY 3 DESC LIMIT 1`,
  );
  if (!org) throw new Error("the bench owner owns no org: the seed is incomplete (drop the database and seed again)");
  // The failing mailbox with the longest history makes the heaviest timeline.
  const [failing] = await sql.rows<{ id: string }>(
    `SELECT c.id::text FROM "Connection" c WHERE c."orgId" = '${org.id}' AND c.health = 'FAILING' ORDER BY (SELECT count(*) FROM "ConnectionEvent" e WHERE e."connectionId" = c.id) DESC, c.id LIMIT 1`,
  );
  const [healthy] = await sql.rows<{ mailbox: string }>(`SELECT mailbox FROM "Connection" WHERE "orgId" = '${org.id}' AND health = 'HEALTHY' ORDER BY mailbox OFFSET 100 LIMIT 1`);
  const countRows = await sql.rows<{ t: string; n: string }>(
    `SELECT 'orgs' AS t, count(*)::text AS n FROM "Org" UNION ALL SELECT 'users', count(*)::text FROM "User" UNION ALL SELECT 'memberships', count(*)::text FROM "Membership"
     UNION ALL SELECT 'integrations', count(*)::text FROM "Integration" UNION ALL SELECT 'connections', count(*)::text FROM "Connection"
     UNION ALL SELECT 'tenants', count(DISTINCT "tenantId")::text FROM "Connection" UNION ALL SELECT 'checks', count(*)::text FROM "Check"
     UNION ALL SELECT 'connectionEvents', count(*)::text FROM "ConnectionEvent" UNION ALL SELECT 'auditEvents', count(*)::text FROM "AuditEvent"
     UNION ALL SELECT 'failing', count(*)::text FROM "Connection" WHERE health = 'FAILING' UNION ALL SELECT 'healthSnapshots', count(*)::text FROM "HealthHourly"`,
  );
  return {
    supportUserId: users.support,
    ownerUserId: users.owner,
    largestOrg: { id: org.id, slug: org.slug, connections: Number(org.n) },
    mailboxId: failing?.id ?? "",
    mailbox: healthy?.mailbox ?? "",
    counts: Object.fromEntries(countRows.map((r) => [r.t, Number(r.n)])),
  };
}
