import type PgBoss from "pg-boss";
import type { Logger } from "pino";
import type { AlertDeps } from "@/lib/alerts/deps";
import { evaluateAlerts } from "@/lib/alerts/evaluate";
import { sendHealLinks } from "@/lib/alerts/self-heal";
import { enqueueDeliveries, startAlertDelivery } from "@/lib/alerts/delivery-queue";

// The worker's alerting: after every scheduler tick the evaluator turns health changes into events
// (lib/alerts/evaluate.ts), their deliveries are queued as pg-boss jobs once its transaction has
// committed, and self-healing consent links are mailed. The deliveries run as jobs of the
// alert-delivery queue on whichever worker fetches them (lib/alerts/delivery-queue.ts, which also
// re-queues any a crash lost between the commit and the queue).

export type AlertsLoop = { runNow(): Promise<void>; stop(): Promise<void> };

export async function startAlertsLoop(boss: PgBoss, deps: AlertDeps, opts: { groupMs: number; log: Logger; now: () => Date }): Promise<AlertsLoop> {
  const delivery = await startAlertDelivery(boss, deps, opts.log);
  let running: Promise<void> | null = null;
  let stopped = false;
  function runNow(): Promise<void> {
    if (stopped) return Promise.resolve();
    running ??= (async () => {
      const r = await evaluateAlerts(deps.db, { now: opts.now(), groupMs: opts.groupMs, publicUrl: deps.publicUrl });
      if (!r) return; // another worker is evaluating
      if (r.deliveries.length) await enqueueDeliveries(boss, r.deliveries);
      if (r.heal.length) await sendHealLinks(deps, r.heal);
      if (r.events || r.folded) opts.log.info({ events: r.events, folded: r.folded, deliveries: r.deliveries.length, heal: r.heal.length }, "alerts evaluated");
    })()
      .catch((err: unknown) => opts.log.warn({ err }, "alert evaluation failed; it runs again on the next tick"))
      .finally(() => {
        running = null;
      });
    return running;
  }
  return {
    runNow,
    async stop() {
      stopped = true;
      await running;
      await delivery.stop();
    },
  };
}
