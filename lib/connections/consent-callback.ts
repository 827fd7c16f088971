import type { RequestMeta } from "@/lib/audit/record";
import { logger } from "@/lib/logger";
import { AppError } from "@/lib/errors";
import { completeFlow, type FlowDeps } from "./consent";
import { consumeAuthorizationRequest } from "./flow-state";

/**
 * The whole of Microsoft's return to the portal after mailbox or admin consent: consume the flow
 * state (bound to this browser, single use), finish the flow, and record its outcome, including
 * an unexpected failure, so the result page always has something true to say. Returns the
 * portal path to send the browser to.
 */
export async function finishConsentCallback(deps: FlowDeps, input: { params: URLSearchParams; browserId: string | undefined; meta?: RequestMeta }): Promise<string> {
  const consumed = await consumeAuthorizationRequest(deps.db, deps.keyring, input.params.get("state"), input.browserId);
  if (!consumed.ok) {
    logger.warn({ problem: consumed.problem, flowId: consumed.flowId }, "consent callback refused");
    // A repeat from the same browser still shows the first attempt's result.
    if (consumed.problem === "state_used" && consumed.flowId) return `/connect/${consumed.flowId}`;
    return `/connect/refused?reason=${consumed.problem}`;
  }
  const flow = consumed.flow;
  try {
    const outcome = await completeFlow(deps, flow, input.params, input.meta);
    logger.info({ flowId: flow.id, orgId: flow.orgId, kind: flow.kind, ok: outcome.ok, code: outcome.ok ? undefined : outcome.failure.code }, "consent callback finished");
  } catch (e) {
    logger.error({ err: e, flowId: flow.id, orgId: flow.orgId }, "consent callback failed");
    const description = e instanceof AppError ? e.message : "The portal hit an unexpected error; nothing was stored.";
    await deps.db.authorizationRequest.update({ where: { id: flow.id }, data: { outcome: { ok: false, failure: { code: "internal", description } } } });
  }
  return `/connect/${flow.id}`;
}
