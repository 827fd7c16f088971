import { z } from "zod";
import type { Db } from "@/lib/db-client";
import type { Prisma } from "@/generated/prisma/client";
import type { Health } from "@/generated/prisma/enums";

// The support console's org inventory: search by name, slug or Microsoft tenant, keyset pages of
// 50 by name (index on name, id), and health counts grouped for the orgs on the page only. URLs
// get edited by hand, so a bad value falls back to the first page instead of failing.

export const ORG_PAGE_SIZE = 50;

const one = (v: unknown) => (Array.isArray(v) ? v[0] : v);
const querySchema = z.object({
  q: z.preprocess(one, z.string().optional().catch(undefined)).transform((v) => v?.trim().slice(0, 200) || undefined),
  after: z.preprocess(one, z.string().max(500).optional().catch(undefined)),
});

export type OrgQuery = z.infer<typeof querySchema>;

export function parseOrgQuery(searchParams: Record<string, string | string[] | undefined>): OrgQuery {
  return querySchema.parse(searchParams);
}

const cursorSchema = z.object({ name: z.string(), id: z.uuid(), n: z.number().int().min(0).max(10_000_000) }).strict();
type Cursor = z.infer<typeof cursorSchema>;

export const encodeOrgCursor = (c: Cursor) => Buffer.from(JSON.stringify(c)).toString("base64url");

export function decodeOrgCursor(raw: string | undefined): Cursor | null {
  if (!raw) return null;
  try {
    return cursorSchema.parse(JSON.parse(Buffer.from(raw, "base64url").toString("utf8")));
  } catch {
    return null;
  }
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** Name or slug containing the text; a whole tenant id matches the org's tenant exactly. */
export function orgWhere(q: OrgQuery): Prisma.OrgWhereInput {
  if (!q.q) return {};
  const text = q.q.replace(/[\\%_]/g, (c) => `\\${c}`);
  const or: Prisma.OrgWhereInput[] = [{ name: { contains: text, mode: "insensitive" } }, { slug: { contains: text, mode: "insensitive" } }];
  if (UUID.test(q.q)) or.push({ tenantId: q.q.toLowerCase() });
  return { OR: or };
}

export type OrgHealth = Record<Health, number>;
const emptyHealth = (): OrgHealth => ({ FAILING: 0, DEGRADED: 0, AT_RISK: 0, HEALTHY: 0, UNKNOWN: 0 });

export async function listOrgPage(db: Db, query: OrgQuery) {
  const where = orgWhere(query);
  const cursor = decodeOrgCursor(query.after);
  const keyset: Prisma.OrgWhereInput | null = cursor ? { OR: [{ name: { gt: cursor.name } }, { name: cursor.name, id: { gt: cursor.id } }] } : null;
  const [rows, total] = await Promise.all([
    db.org.findMany({
      where: keyset ? { AND: [where, keyset] } : where,
      orderBy: [{ name: "asc" }, { id: "asc" }],
      take: ORG_PAGE_SIZE + 1,
      select: { id: true, slug: true, name: true, tenantId: true, createdAt: true },
    }),
    db.org.count({ where }),
  ]);
  const page = rows.slice(0, ORG_PAGE_SIZE);
  // Grouped counts for these orgs only, each on an index that starts with orgId. (Prisma's
  // `_count` select would instead group the whole Membership, Integration and Invitation tables.)
  const ids = page.map((o) => o.id);
  const [groups, members, integrations, invitations] = ids.length
    ? await Promise.all([
        db.connection.groupBy({ by: ["orgId", "health"], where: { orgId: { in: ids } }, _count: { _all: true } }),
        db.membership.groupBy({ by: ["orgId"], where: { orgId: { in: ids } }, _count: { _all: true } }),
        db.integration.groupBy({ by: ["orgId"], where: { orgId: { in: ids } }, _count: { _all: true } }),
        db.invitation.groupBy({ by: ["orgId"], where: { orgId: { in: ids }, status: "PENDING" }, _count: { _all: true } }),
      ])
    : [[], [], [], []];
  const countOf = (list: { orgId: string; _count: { _all: number } }[]) => new Map(list.map((g) => [g.orgId, g._count._all]));
  const [memberCount, integrationCount, invitationCount] = [countOf(members), countOf(integrations), countOf(invitations)];
  const health = new Map<string, OrgHealth>();
  for (const g of groups) {
    const h = health.get(g.orgId) ?? emptyHealth();
    h[g.health] = g._count._all;
    health.set(g.orgId, h);
  }
  const last = page.at(-1);
  const skipped = cursor?.n ?? 0;
  const next = rows.length > ORG_PAGE_SIZE && last ? encodeOrgCursor({ name: last.name, id: last.id, n: skipped + page.length }) : null;
  const start = page.length ? Math.min(skipped, Math.max(0, total - page.length)) + 1 : 0;
  return {
    rows: page.map((o) => {
      const h = health.get(o.id) ?? emptyHealth();
      const counts = { memberships: memberCount.get(o.id) ?? 0, integrations: integrationCount.get(o.id) ?? 0, invitations: invitationCount.get(o.id) ?? 0 };
      return { ...o, counts, health: h, mailboxes: Object.values(h).reduce((a, b) => a + b, 0) };
    }),
    next,
    total,
    firstPage: !cursor,
    start,
    end: page.length ? start + page.length - 1 : 0,
  };
}

export type OrgPage = Awaited<ReturnType<typeof listOrgPage>>;
