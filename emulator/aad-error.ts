import { aadTimestamp, guid } from "./ids";
import { catalogEntry, catalogMessage } from "./error-catalog";

export interface AadError {
  code: number;
  error: string;
  suberror?: string;
  status: number;
  /** Message without the code prefix. */
  message: string;
  /** `AADSTSnnnn: message\r\nTrace ID: …\r\nCorrelation ID: …\r\nTimestamp: …` */
  description: string;
  traceId: string;
  correlationId: string;
  timestamp: string;
}

/**
 * Every error carries fresh trace/correlation IDs because admins quote them to
 * Microsoft support; the portal must store and show them, so they must exist.
 */
export function aadError(
  code: number,
  nowMs: number,
  params: Record<string, string | undefined> = {},
  context: "token" | "authorize" = "token",
): AadError {
  const entry = catalogEntry(code);
  const message = catalogMessage(code, params);
  const traceId = guid();
  const correlationId = params.correlationId ?? guid();
  const timestamp = aadTimestamp(nowMs);
  const error = context === "authorize" ? (entry.authorizeError ?? entry.error) : entry.error;
  return {
    code,
    error,
    ...(entry.suberror ? { suberror: entry.suberror } : {}),
    status: context === "token" ? (entry.status ?? 400) : 400,
    message,
    description: `AADSTS${code}: ${message}\r\nTrace ID: ${traceId}\r\nCorrelation ID: ${correlationId}\r\nTimestamp: ${timestamp}`,
    traceId,
    correlationId,
    timestamp,
  };
}

export function errorUri(code: number): string {
  return `https://login.microsoftonline.com/error?code=${code}`;
}

/** The JSON body the token endpoint (and discovery) returns. */
export function errorBody(e: AadError): Record<string, unknown> {
  return {
    error: e.error,
    error_description: e.description,
    error_codes: [e.code],
    timestamp: e.timestamp,
    trace_id: e.traceId,
    correlation_id: e.correlationId,
    error_uri: errorUri(e.code),
    ...(e.suberror ? { suberror: e.suberror } : {}),
  };
}

/** Parameters Microsoft appends to the redirect URI when /authorize fails after the client is trusted. */
export function errorRedirectParams(
  e: AadError,
  state: string | undefined,
  extra: Record<string, string> = {},
): Record<string, string> {
  return {
    error: e.error,
    error_description: e.description,
    error_uri: errorUri(e.code),
    ...extra,
    ...(state !== undefined ? { state } : {}),
  };
}
