// What several parts of the gateway learn about one HTTP request (its id, who sent it, which
// operations it ran, how they ended), kept in one record per Request so the request log, the
// metrics and the GraphQL context agree on it without passing it around.
import { randomUUID } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';

export const REQUEST_ID_HEADER = 'x-request-id';
// A caller's id is echoed into logs and headers, so only a short, plain one is accepted.
const CALLER_REQUEST_ID = /^[A-Za-z0-9._-]{1,64}$/;

export interface OperationInfo {
  name: string | null;
  type: 'query' | 'mutation' | 'subscription';
}

export interface RequestInfo {
  /** The caller's `x-request-id` when it is plain enough, else a new UUID. */
  readonly id: string;
  /** `performance.now()` when the gateway first saw the request. */
  readonly startedAt: number;
  /** `user:<id>` or `api-key:<id>` once authenticated; null for anonymous or unauthenticated calls. */
  principal: string | null;
  /** When the bearer token expires (epoch ms); null for API keys and anonymous calls. */
  credentialsExpireAt: number | null;
  /** Operation name from the request parameters, known before parsing. */
  requestedOperation: string | null;
  /** Operations that reached execution (several for a batch). */
  operations: OperationInfo[];
  /** `extensions.code` of every GraphQL error returned (`UNKNOWN` when an error has none). */
  errorCodes: Set<string>;
  /** The TCP peer, noted when the request arrives (the socket may be gone by the time it is logged). */
  clientAddress: string;
}

const infos = new WeakMap<Request, RequestInfo>();

export function requestInfo(request: Request): RequestInfo {
  let info = infos.get(request);
  if (!info) {
    const given = request.headers.get(REQUEST_ID_HEADER);
    info = {
      id: given && CALLER_REQUEST_ID.test(given) ? given : randomUUID(),
      startedAt: performance.now(),
      principal: null,
      credentialsExpireAt: null,
      requestedOperation: null,
      operations: [],
      errorCodes: new Set(),
      clientAddress: 'unknown',
    };
    infos.set(request, info);
  }
  return info;
}

/** What node:http hands Yoga as the server context (absent when the app is called with `fetch`). */
export interface NodeServerContext {
  req?: IncomingMessage;
  res?: ServerResponse;
}

/** The TCP peer's address. Behind a reverse proxy this is the proxy's (X-Forwarded-For is not trusted). */
export function clientAddress(serverContext: NodeServerContext | undefined): string {
  return serverContext?.req?.socket?.remoteAddress ?? 'unknown';
}
