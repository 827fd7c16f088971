import "server-only";
import { cookies } from "next/headers";
import { publicUrl } from "@/lib/deployment";
import { BROWSER_COOKIE, newBrowserId } from "./flow-state";

/** This browser's id for binding consent flows, created on first use (server actions only). */
export async function ensureBrowserId(): Promise<string> {
  const jar = await cookies();
  const existing = jar.get(BROWSER_COOKIE)?.value;
  const id = existing && existing.length >= 32 ? existing : newBrowserId();
  // Lax: the callback is a top-level GET from Microsoft, which carries Lax cookies.
  jar.set(BROWSER_COOKIE, id, { httpOnly: true, sameSite: "lax", secure: publicUrl().startsWith("https:"), path: "/", maxAge: 30 * 86_400 });
  return id;
}

export async function readBrowserId(): Promise<string | undefined> {
  return (await cookies()).get(BROWSER_COOKIE)?.value;
}
