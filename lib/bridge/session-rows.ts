import type { Db } from "@/lib/db-client";
import type { Prisma } from "@/generated/prisma/client";
import type { BridgeGrant, BridgeSessionRecord } from "./sign-in";
import { BRIDGE_SESSION_KIND } from "./session-outcome";

// The bridge's timeline rows (one "bridge_session" event per session), written in batches: a
// client that opens a session per message would otherwise cost an insert per session. Rows wait at
// most `everyMs` (1 s); stop() writes what is left at once. A batch the database refuses (a
// connection deleted meanwhile) is written row by row, so only the row that cannot be written is lost.

/** The timeline row for one bridge session: who used the grant, from where, how much, how it ended. */
export function bridgeSessionRow(grant: BridgeGrant, s: BridgeSessionRecord): Prisma.ConnectionEventCreateManyInput {
  return {
    connectionId: grant.connectionId,
    kind: BRIDGE_SESSION_KIND,
    resource: "outlook",
    ...(s.code ? { code: s.code } : {}),
    createdAt: s.startedAt,
    detail: {
      protocol: s.protocol,
      clientIp: s.clientIp,
      durationMs: s.endedAt.getTime() - s.startedAt.getTime(),
      bytesFromClient: s.bytesFromClient,
      bytesToClient: s.bytesToClient,
      outcome: s.outcome,
      via: grant.via.kind === "credential" ? { kind: "credential", name: grant.via.name, username: grant.via.username } : { kind: "api_key", name: grant.via.name, prefix: grant.via.prefix },
      ...(s.reply ? { reply: s.reply.slice(0, 300) } : {}),
    },
  };
}

type Pending = { row: Prisma.ConnectionEventCreateManyInput; written: () => void; failed: (e: unknown) => void };

export class SessionRows {
  private pending: Pending[] = [];
  private timer: NodeJS.Timeout | undefined;
  private writing = new Set<Promise<void>>();
  private stopping = false;

  constructor(
    private readonly db: Db,
    private readonly everyMs = 1000,
  ) {}

  /** Queues the session's row; settles when it is written (or could not be). */
  add(grant: BridgeGrant, record: BridgeSessionRecord): Promise<void> {
    return new Promise((written, failed) => {
      this.pending.push({ row: bridgeSessionRow(grant, record), written, failed });
      this.timer ??= setTimeout(() => void this.flush(), this.stopping ? 0 : this.everyMs);
    });
  }

  /** From now on rows are written as they come (next tick); waits for those queued or being written. */
  async stop(): Promise<void> {
    this.stopping = true;
    await this.flush();
    await Promise.all([...this.writing]);
  }

  private flush(): Promise<void> {
    clearTimeout(this.timer);
    this.timer = undefined;
    const batch = this.pending.splice(0);
    if (!batch.length) return Promise.resolve();
    const work = this.write(batch).finally(() => this.writing.delete(work));
    this.writing.add(work);
    return work;
  }

  private async write(batch: Pending[]): Promise<void> {
    try {
      await this.db.connectionEvent.createMany({ data: batch.map((p) => p.row) });
      for (const p of batch) p.written();
    } catch {
      for (const p of batch) await this.db.connectionEvent.create({ data: p.row }).then(p.written, p.failed);
    }
  }
}
