import { NextResponse, type NextRequest } from "next/server";

// Only redirects signed-out visitors to the sign-in page. Authorization happens in every page,
// layout, route handler and server action (lib/auth/guards.ts), not here.
// Auth.js splits a large session cookie into name.0, name.1, …; any of them means a session.
const SESSION_COOKIE = /^(__Secure-)?authjs\.session-token(\.\d+)?$/;

export function hasSessionCookie(names: string[]): boolean {
  return names.some((name) => SESSION_COOKIE.test(name));
}

export function proxy(request: NextRequest) {
  const signedIn = hasSessionCookie(request.cookies.getAll().map((c) => c.name));
  if (signedIn) return NextResponse.next();
  const url = new URL("/signin", request.url);
  url.searchParams.set("callbackUrl", request.nextUrl.pathname + request.nextUrl.search);
  return NextResponse.redirect(url);
}

export const config = { matcher: ["/orgs/:path*", "/support/:path*"] };
