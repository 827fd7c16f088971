// Graph's HTTP side, shared by the emulator's Graph routes: the request shape, errors in Graph's
// shape with request ids, and JSON responses.
import type { IncomingHttpHeaders, ServerResponse } from "node:http";
import type { EmulatorContext } from "./context";

export interface GraphRequest {
  ctx: EmulatorContext;
  /** The Graph host the request was addressed to (`graph.microsoft.com`, `graph.microsoft.us`, …). */
  host: string;
  /** `v1.0` or `beta`. */
  version: string;
  method: string;
  /** Path segments after the version, URL-decoded. */
  path: string[];
  query: URLSearchParams;
  headers: IncomingHttpHeaders;
  body: string;
  res: ServerResponse;
}

export class GraphError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly headers: Record<string, string> = {},
  ) {
    super(message);
  }
}

export interface Ids {
  requestId: string;
  clientRequestId: string;
}

export const ACCESS_DENIED = () => new GraphError(403, "ErrorAccessDenied", "Access is denied. Check credentials and try again.");
export const NOT_ENABLED = () => new GraphError(404, "MailboxNotEnabledForRESTAPI", "The mailbox is either inactive, soft-deleted, or is hosted on-premise.");
export const segmentNotFound = (segment: string) => new GraphError(400, "BadRequest", `Resource not found for the segment '${segment}'.`);

/** Graph's innerError date: ISO seconds without a zone. */
export const graphDate = (ms: number) => new Date(ms).toISOString().replace(/\.\d{3}Z$/, "");

export function responseHeaders(ids: Ids): Record<string, string> {
  return {
    "request-id": ids.requestId,
    "client-request-id": ids.clientRequestId,
    "x-ms-ags-diagnostic": JSON.stringify({ ServerInfo: { DataCenter: "Emulator", Slice: "E", Ring: "1", ScaleUnit: "000", RoleInstance: "EMULATOR01" } }),
    "cache-control": "no-cache",
  };
}

export function send(g: GraphRequest, ids: Ids, status: number, body: unknown, headers: Record<string, string> = {}): void {
  const all = { ...responseHeaders(ids), ...headers };
  if (body === undefined) {
    g.res.writeHead(status, { ...all, "content-length": "0" });
    return void g.res.end();
  }
  const text = JSON.stringify(body);
  g.res.writeHead(status, {
    "content-type": "application/json;odata.metadata=minimal;odata.streaming=true;IEEE754Compatible=false;charset=utf-8",
    "content-length": String(Buffer.byteLength(text)),
    "odata-version": "4.0",
    ...all,
  });
  g.res.end(text);
}

export function sendError(g: GraphRequest, ids: Ids, e: GraphError): void {
  send(
    g,
    ids,
    e.status,
    { error: { code: e.code, message: e.message, innerError: { date: graphDate(g.ctx.state.now()), "request-id": ids.requestId, "client-request-id": ids.clientRequestId } } },
    e.headers,
  );
}


export function graphBase(g: GraphRequest): string {
  return `${g.ctx.httpsOrigin}/${g.host}/${g.version}`;
}
