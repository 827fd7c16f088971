import NextAuth, { customFetch } from "next-auth";
import MicrosoftEntraID from "next-auth/providers/microsoft-entra-id";
import { entraDiscoveryFetch, type EntraIdClaims, emailFromClaims } from "@/lib/auth/entra-discovery";
import { env, supportEmails } from "@/lib/env";
import { db } from "@/lib/db";
import { recordSignIn } from "@/lib/users/sign-in";
import { endPortalSession, SESSION_HOURS, startPortalSession } from "@/lib/users/portal-sessions";
import { requestMeta } from "@/lib/request-meta";
import { logger } from "@/lib/logger";

declare module "next-auth" {
  interface Session {
    user: { id: string; name: string; email: string };
    /** The PortalSession row this cookie names; lib/auth/guards.ts checks it is still live. */
    sid?: string;
  }
}

// Portal sign-in only: who is using the portal. Mailbox grants are a separate OAuth client per
// integration (lib/microsoft) and never sign anyone in here.
export const { handlers, auth, signIn, signOut } = NextAuth(() => {
  const e = env();
  return {
    trustHost: true,
    secret: e.AUTH_SECRET,
    session: { strategy: "jwt", maxAge: SESSION_HOURS * 60 * 60 },
    pages: { signIn: "/signin", error: "/auth/error" },
    providers: [
      MicrosoftEntraID({
        clientId: e.AUTH_MICROSOFT_ENTRA_ID_ID,
        clientSecret: e.AUTH_MICROSOFT_ENTRA_ID_SECRET,
        issuer: e.AUTH_MICROSOFT_ENTRA_ID_ISSUER ?? "https://login.microsoftonline.com/organizations/v2.0",
        checks: ["pkce", "state", "nonce"],
        client: { token_endpoint_auth_method: "client_secret_post" },
        authorization: { params: { scope: "openid profile email", prompt: "select_account" } },
        // The default profile() downloads a photo from Graph; the ID token has all we need.
        profile: (p: EntraIdClaims & { sub: string }) => ({ id: p.oid ?? p.sub, name: p.name ?? emailFromClaims(p), email: emailFromClaims(p) }),
        [customFetch]: entraDiscoveryFetch,
      }),
    ],
    callbacks: {
      async jwt({ token, profile }) {
        if (profile) {
          const user = await recordSignIn(await db(), profile, { supportEmails: supportEmails(e), meta: await requestMeta() });
          token.uid = user.id;
          token.sid = (await startPortalSession(await db(), user.id)).id;
          token.name = user.name;
          token.email = user.email;
        }
        return token;
      },
      session({ session, token }) {
        if (typeof token.uid === "string") session.user.id = token.uid;
        if (typeof token.sid === "string") session.sid = token.sid;
        return session;
      },
    },
    events: {
      // Sign-out ends the session in the database, so a copy of the cookie stops working too.
      async signOut(message) {
        const sid = "token" in message ? message.token?.sid : undefined;
        await endPortalSession(await db(), typeof sid === "string" ? sid : undefined);
      },
    },
    logger: {
      error: (error) => logger.error({ err: { name: error.name, message: error.message, cause: safeCause(error.cause) } }, "auth error"),
      warn: (code) => logger.warn({ code }, "auth warning"),
    },
  };
});

// Errors from Microsoft carry AADSTS codes and ids worth logging; tokens never appear in them.
function safeCause(cause: unknown) {
  if (!cause || typeof cause !== "object") return undefined;
  const c = cause as Record<string, unknown>;
  return { error: c.error, error_description: c.error_description, error_codes: c.error_codes, trace_id: c.trace_id, correlation_id: c.correlation_id };
}

