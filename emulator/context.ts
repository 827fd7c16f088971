import type { ServerResponse } from "node:http";
import { CLOUDS, type Cloud } from "./clouds";
import type { EmulatorState } from "./state";
import type { SigningKey } from "./tokens";

export interface EmulatorContext {
  state: EmulatorState;
  key: SigningKey;
  httpsOrigin: string;
  /** Plain-HTTP origin for browser-facing pages, or null when that listener is off. */
  httpOrigin: string | null;
  /** Where the IMAP, POP and SMTP listeners are (null: that listener is off). */
  mail: MailEndpoints;
}

export interface MailEndpoints {
  host: string;
  imapPort: number | null;
  popPort: number | null;
  smtpPort: number | null;
}

/** One request to a login-host route, after the prefix and tenant segment are split off. */
export interface IdentityRequest {
  ctx: EmulatorContext;
  method: string;
  url: URL;
  cloud: Cloud;
  tenantSegment: string;
  /** GET query or POST form fields. */
  params: URLSearchParams;
  headers: Record<string, string | string[] | undefined>;
  res: ServerResponse;
}

export function loginBase(ctx: EmulatorContext, cloud: Cloud, forBrowser = false): string {
  const origin = forBrowser ? (ctx.httpOrigin ?? ctx.httpsOrigin) : ctx.httpsOrigin;
  return `${origin}/${CLOUDS[cloud].loginHost}`;
}

export function v2Issuer(ctx: EmulatorContext, cloud: Cloud, tenantId: string): string {
  return `${loginBase(ctx, cloud)}/${tenantId}/v2.0`;
}
