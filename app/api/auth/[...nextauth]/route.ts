// GET|POST /api/auth/* — Auth.js (portal sign-in with Microsoft Entra ID).
import type { NextRequest } from "next/server";
import { handlers } from "@/auth";
import { parseMicrosoftErrorDescription } from "@/lib/diagnosis/catalog";

// When Microsoft sends the browser back with ?error=…, Auth.js reduces it to a generic type.
// Keep the AADSTS code and ids so the error page can explain it and support can trace it.
export async function GET(request: NextRequest) {
  const url = request.nextUrl;
  const error = url.searchParams.get("error");
  if (url.pathname.startsWith("/api/auth/callback/") && error) {
    const parsed = parseMicrosoftErrorDescription(url.searchParams.get("error_description") ?? "");
    const target = new URL("/auth/error", url.origin);
    target.searchParams.set("error", error.slice(0, 100));
    for (const [key, value] of Object.entries({ aadsts: parsed.aadsts?.toString(), message: parsed.message, trace: parsed.traceId, correlation: parsed.correlationId, timestamp: parsed.timestamp })) {
      if (value) target.searchParams.set(key, value.slice(0, 300));
    }
    return Response.redirect(target, 303);
  }
  return handlers.GET(request);
}

export const POST = handlers.POST;
