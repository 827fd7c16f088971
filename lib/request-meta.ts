import { headers } from "next/headers";
import type { RequestMeta } from "@/lib/audit/record";

/** IP and user agent of the current request, for the audit log. */
export async function requestMeta(): Promise<RequestMeta> {
  try {
    const h = await headers();
    const forwarded = h.get("x-forwarded-for")?.split(",")[0]?.trim();
    return { ip: forwarded || h.get("x-real-ip"), userAgent: h.get("user-agent") };
  } catch {
    return {};
  }
}
