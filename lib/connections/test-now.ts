import type { RequestMeta } from "@/lib/audit/record";
import { record } from "@/lib/audit/record";
import { logger } from "@/lib/logger";
import { runConnectionTest, saveTestRun, type TestDeps, type TestRun } from "./connection-test";

type Actor = { id: string; email: string };

/**
 * "Test now" as a stream of NDJSON lines (one TestRun per line, the last one finished). The run
 * belongs to the server, not to the browser: when the client goes away the test still finishes,
 * is saved and audited; only the lines stop.
 */
export function testConnectionNow(
  deps: TestDeps,
  input: { orgId: string; connectionId: string; actor: Actor; meta?: RequestMeta; requestId?: string; sendTo?: string },
): ReadableStream<Uint8Array> {
  const encoder = new TextEncoder();
  let open = true;
  let controller!: ReadableStreamDefaultController<Uint8Array>;
  const write = (value: unknown) => {
    if (!open) return;
    try {
      controller.enqueue(encoder.encode(`${JSON.stringify(value)}\n`));
    } catch {
      open = false; // the client closed the stream; keep running
    }
  };
  const close = () => {
    if (!open) return;
    open = false;
    try {
      controller.close();
    } catch {
      // already closed by the client
    }
  };

  const work = async () => {
    const { orgId, connectionId } = input;
    try {
      const run: TestRun = await runConnectionTest(deps, orgId, connectionId, { ...(input.sendTo ? { sendTo: input.sendTo } : {}), onUpdate: write, cause: { by: "test-now", userId: input.actor.id } });
      await saveTestRun(deps.db, orgId, connectionId, run, { triggeredById: input.actor.id });
      await record(deps.db, {
        action: "connection.tested",
        orgId,
        actor: input.actor,
        targetType: "connection",
        targetId: connectionId,
        data: { ok: run.ok ?? false, failed: run.steps.filter((s) => s.status === "failed").map((s) => `${s.id}${s.code ? `:${s.code}` : ""}`), ...(input.sendTo ? { sentTo: input.sendTo } : {}) },
        meta: input.meta,
      });
    } catch (e) {
      logger.error({ err: e, orgId, connectionId, requestId: input.requestId }, "connection test failed to run");
      write({ error: { code: "internal", message: "The test could not run. Try again; if it keeps happening, contact support." } });
    } finally {
      close();
    }
  };

  return new ReadableStream<Uint8Array>({
    start(c) {
      controller = c;
      void work();
    },
    cancel() {
      open = false;
    },
  });
}
