import { headers } from "next/headers";
import type { RequestMeta } from "@/lib/audit/record";
import { CLIENT_IP_HEADER } from "@/lib/client-ip";

/**
 * IP and user agent of the current request, for the audit log. The IP is the one server.ts
 * resolved from the socket (and from X-Forwarded-For only when sent by a trusted proxy).
 */
export async function requestMeta(): Promise<RequestMeta> {
  try {
    const h = await headers();
    return { ip: h.get(CLIENT_IP_HEADER), userAgent: h.get("user-agent")?.slice(0, 400) ?? null };
  } catch {
    return {};
  }
}
