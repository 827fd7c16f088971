// GET /api/connections/callback — where Microsoft sends the browser back after mailbox consent
// or admin consent (the one redirect URI integrations register). It finishes the flow and
// sends the browser to the result page; nothing here renders a token.
import { NextResponse, type NextRequest } from "next/server";
import { db } from "@/lib/db";
import { appKeyring, flowSettings, publicUrl } from "@/lib/deployment";
import { requestMeta } from "@/lib/request-meta";
import { finishConsentCallback } from "@/lib/connections/consent-callback";
import { BROWSER_COOKIE } from "@/lib/connections/flow-state";

export const dynamic = "force-dynamic";

export async function GET(request: NextRequest) {
  const path = await finishConsentCallback(
    { db: await db(), keyring: appKeyring(), ...flowSettings() },
    { params: request.nextUrl.searchParams, browserId: request.cookies.get(BROWSER_COOKIE)?.value, meta: await requestMeta() },
  );
  return NextResponse.redirect(new URL(path, publicUrl()), { status: 303, headers: { "Cache-Control": "no-store" } });
}

// No POST handler: the portal asks for response_mode=query, because a cross-site form_post would
// not carry the SameSite=Lax cookie that binds the flow to the browser.
