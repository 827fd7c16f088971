import "server-only";
import { randomUUID } from "node:crypto";
import { db } from "@/lib/db";
import type { Db } from "@/lib/db-client";
import { logger } from "@/lib/logger";
import { currentUser, type CurrentUser } from "@/lib/auth/guards";
import { AppError } from "@/lib/errors";
import { ROUTE_BRAND, errorResponse } from "@/lib/auth/org-route";

// The one way into a support route handler (/api/support/…), requireSupport's twin for routes:
// signed in, with the platform support role, read-only (GET only). Anyone else gets the same 404
// as for an address that does not exist, so the console's routes can't be probed.

export type SupportRouteContext = { db: Db; user: CurrentUser; request: Request; requestId: string };

export function withSupportRoute(handler: (ctx: SupportRouteContext) => Promise<Response>) {
  const fn = async (request: Request) => {
    const requestId = request.headers.get("x-request-id") ?? randomUUID();
    try {
      const user = await currentUser();
      if (!user) throw new AppError("unauthenticated", "Your session has ended. Sign in again, then retry.");
      if (user.platformRole !== "SUPPORT") throw new AppError("not_found", "That page does not exist.");
      return await handler({ db: await db(), user, request, requestId });
    } catch (e) {
      if (e instanceof AppError) return errorResponse(e);
      logger.error({ err: e, requestId, path: new URL(request.url).pathname }, "support route failed");
      return errorResponse(new AppError("internal", "Something went wrong on our side. Try again; if it keeps happening, report this request id: " + requestId));
    }
  };
  return Object.assign(fn, { [ROUTE_BRAND]: true as const });
}
