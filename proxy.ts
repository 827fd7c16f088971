import { NextResponse, type NextRequest } from "next/server";

// Only redirects signed-out visitors to the sign-in page. Authorization happens in every page,
// layout, route handler and server action (lib/auth/guards.ts), not here.
const SESSION_COOKIES = ["authjs.session-token", "__Secure-authjs.session-token"];

export function proxy(request: NextRequest) {
  const signedIn = SESSION_COOKIES.some((name) => request.cookies.has(name));
  if (signedIn) return NextResponse.next();
  const url = new URL("/signin", request.url);
  url.searchParams.set("callbackUrl", request.nextUrl.pathname + request.nextUrl.search);
  return NextResponse.redirect(url);
}

export const config = { matcher: ["/orgs/:path*", "/support/:path*"] };
