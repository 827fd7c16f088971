// GET /api/connections/callback — where Microsoft sends the browser back after mailbox consent
// or admin consent (the one redirect URI integrations register). It finishes the flow and
// sends the browser to the result page; nothing here renders a token.
import { NextResponse, type NextRequest } from "next/server";
import { db } from "@/lib/db";
import { appKeyring, flowSettings, publicUrl } from "@/lib/deployment";
import { logger } from "@/lib/logger";
import { requestMeta } from "@/lib/request-meta";
import { completeFlow } from "@/lib/connections/consent";
import { BROWSER_COOKIE, consumeAuthorizationRequest } from "@/lib/connections/flow-state";

export const dynamic = "force-dynamic";

async function handle(request: NextRequest, params: URLSearchParams) {
  const database = await db();
  const keyring = appKeyring();
  const go = (path: string) => NextResponse.redirect(new URL(path, publicUrl()), { status: 303, headers: { "Cache-Control": "no-store" } });
  const consumed = await consumeAuthorizationRequest(database, keyring, params.get("state"), request.cookies.get(BROWSER_COOKIE)?.value);
  if (!consumed.ok) {
    logger.warn({ problem: consumed.problem, flowId: consumed.flowId }, "consent callback refused");
    // A repeat from the same browser still shows the first attempt's result.
    if (consumed.problem === "state_used" && consumed.flowId) return go(`/connect/${consumed.flowId}`);
    return go(`/connect/refused?reason=${consumed.problem}`);
  }
  const meta = await requestMeta();
  try {
    const outcome = await completeFlow({ db: database, keyring, ...flowSettings() }, consumed.flow, params, meta);
    logger.info({ flowId: consumed.flow.id, kind: consumed.flow.kind, ok: outcome.ok, code: outcome.ok ? undefined : outcome.failure.code }, "consent callback finished");
  } catch (e) {
    logger.error({ err: e, flowId: consumed.flow.id }, "consent callback failed");
    await database.authorizationRequest.update({
      where: { id: consumed.flow.id },
      data: { outcome: { ok: false, failure: { code: "internal", description: e instanceof Error && e.name === "AppError" ? e.message : "The portal hit an unexpected error; nothing was stored." } } },
    });
  }
  return go(`/connect/${consumed.flow.id}`);
}

export async function GET(request: NextRequest) {
  return handle(request, request.nextUrl.searchParams);
}

// No POST handler: the portal asks for response_mode=query, because a cross-site form_post would
// not carry the SameSite=Lax cookie that binds the flow to the browser.
