import type { Db } from "@/lib/db-client";
import type { Prisma } from "@/generated/prisma/client";
import { record } from "@/lib/audit/record";
import { logger } from "@/lib/logger";
import { keyActorLabel } from "./keys";

// The audit log records which key took tokens for which connection, when and from where, one row
// per key, connection and hour ("api_key.tokens_issued" with counts per resource and the client
// addresses seen), not a row per call. Calls are counted in memory and written every few seconds
// (and when the process stops), so a token served from the cache costs no write: a process that
// dies loses at most that interval's counts, never a key check (those read the database on every
// call). Several processes each add their own counts to the hour's row. The key's "last used" is
// written the same way. No token ever reaches this module.

export const TOKENS_ISSUED = "api_key.tokens_issued";
const FLUSH_EVERY_MS = 5_000;
const MAX_IPS = 10;

type Bucket = {
  orgId: string;
  key: { id: string; name: string; prefix: string };
  connectionId: string;
  hour: Date;
  counts: Record<string, number>;
  ips: string[];
  firstAt: Date;
  lastAt: Date;
  lastIp: string | null;
};

type KeyUse = { at: Date; ip: string | null };

export type UsageNote = { orgId: string; key: { id: string; name: string; prefix: string }; connectionId: string; resource: string; ip: string | null; at?: Date };

export type UsageRecorder = {
  /** Counts one token handed out. */
  tokenIssued(note: UsageNote): void;
  /** Notes that a key made a call (any endpoint), for its "last used". */
  keyUsed(keyId: string, ip: string | null, at?: Date): void;
  /** Writes what has been counted (tests call it; the timer and shutdown do otherwise). */
  flush(): Promise<void>;
  stop(): Promise<void>;
};

const hourOf = (at: Date) => new Date(Math.floor(at.getTime() / 3_600_000) * 3_600_000);

type StoredData = { apiKeyId?: string; count?: number; resources?: Record<string, number>; ips?: string[]; firstAt?: string };

export function createUsageRecorder(getDb: () => Promise<Db>, opts: { flushEveryMs?: number } = {}): UsageRecorder {
  let buckets = new Map<string, Bucket>();
  let keyUses = new Map<string, KeyUse>();
  let flushing: Promise<void> = Promise.resolve();
  let timer: NodeJS.Timeout | null = null;

  const schedule = () => {
    if (timer) return;
    timer = setTimeout(() => {
      timer = null;
      void flush();
    }, opts.flushEveryMs ?? FLUSH_EVERY_MS);
    timer.unref();
  };

  const keyUsed = (keyId: string, ip: string | null, at = new Date()) => {
    const previous = keyUses.get(keyId);
    if (!previous || previous.at <= at) keyUses.set(keyId, { at, ip });
    schedule();
  };

  const tokenIssued = (n: UsageNote) => {
    const at = n.at ?? new Date();
    const hour = hourOf(at);
    const id = `${n.key.id}:${n.connectionId}:${hour.getTime()}`;
    let b = buckets.get(id);
    if (!b) {
      b = { orgId: n.orgId, key: n.key, connectionId: n.connectionId, hour, counts: {}, ips: [], firstAt: at, lastAt: at, lastIp: null };
      buckets.set(id, b);
    }
    b.counts[n.resource] = (b.counts[n.resource] ?? 0) + 1;
    if (n.ip && !b.ips.includes(n.ip) && b.ips.length < MAX_IPS) b.ips.push(n.ip);
    if (at >= b.lastAt) {
      b.lastAt = at;
      b.lastIp = n.ip;
    }
    keyUsed(n.key.id, n.ip, at);
  };

  async function writeBucket(db: Db, b: Bucket) {
    const existing = await db.auditEvent.findFirst({
      where: { orgId: b.orgId, action: TOKENS_ISSUED, targetType: "connection", targetId: b.connectionId, createdAt: { gte: b.hour, lt: new Date(b.hour.getTime() + 3_600_000) }, data: { path: ["apiKeyId"], equals: b.key.id } },
      select: { id: true, data: true },
    });
    const added = Object.values(b.counts).reduce((a, c) => a + c, 0);
    if (!existing) {
      await record(db, {
        action: TOKENS_ISSUED,
        orgId: b.orgId,
        actor: { id: null, email: keyActorLabel(b.key) },
        targetType: "connection",
        targetId: b.connectionId,
        data: { apiKeyId: b.key.id, apiKeyName: b.key.name, prefix: b.key.prefix, count: added, resources: b.counts, ips: b.ips, firstAt: b.firstAt.toISOString(), lastAt: b.lastAt.toISOString() },
        meta: { ip: b.lastIp },
        // The row's time is its hour's first call, so it sorts where the use began and the next
        // flush for that hour finds it, even when this write happens after the hour has turned.
        at: b.firstAt,
      });
      return;
    }
    const data = (existing.data ?? {}) as StoredData;
    const resources = { ...(data.resources ?? {}) };
    for (const [r, c] of Object.entries(b.counts)) resources[r] = (resources[r] ?? 0) + c;
    const ips = [...(data.ips ?? [])];
    for (const ip of b.ips) if (!ips.includes(ip) && ips.length < MAX_IPS) ips.push(ip);
    await db.auditEvent.update({
      where: { id: existing.id },
      data: { data: { ...(data as Prisma.JsonObject), count: (data.count ?? 0) + added, resources, ips, lastAt: b.lastAt.toISOString() }, ...(b.lastIp ? { ip: b.lastIp } : {}) },
    });
  }

  async function write(batch: Map<string, Bucket>, uses: Map<string, KeyUse>) {
    if (batch.size === 0 && uses.size === 0) return;
    const db = await getDb();
    for (const b of batch.values()) {
      try {
        await writeBucket(db, b);
      } catch (e) {
        logger.error({ err: e, orgId: b.orgId, apiKeyId: b.key.id, connectionId: b.connectionId }, "could not record API key use in the audit log");
      }
    }
    for (const [keyId, use] of uses) {
      await db.apiKey
        .updateMany({ where: { id: keyId, OR: [{ lastUsedAt: null }, { lastUsedAt: { lt: use.at } }] }, data: { lastUsedAt: use.at, lastUsedIp: use.ip } })
        .catch((e: unknown) => logger.error({ err: e, apiKeyId: keyId }, "could not record when an API key was last used"));
    }
  }

  function flush(): Promise<void> {
    const batch = buckets;
    const uses = keyUses;
    buckets = new Map();
    keyUses = new Map();
    // One write at a time, in order, so two flushes never race for the same hour's row.
    flushing = flushing.then(() => write(batch, uses));
    return flushing;
  }

  return {
    tokenIssued,
    keyUsed,
    flush,
    async stop() {
      if (timer) clearTimeout(timer);
      timer = null;
      await flush();
    },
  };
}
