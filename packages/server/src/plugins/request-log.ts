// One JSON line per HTTP request: id (x-request-id in and out), who, which operation, how long,
// how it ended. Named fields only: no headers, no query string (GET requests carry the document and
// variables there), no variables.
import { getOperationAST } from 'graphql';
import type { Plugin } from 'graphql-yoga';
import type { Logger } from '../logger.js';
import { redactDocumentPath } from './documents.js';
import { clientAddress, REQUEST_ID_HEADER, requestInfo, type NodeServerContext } from '../request-info.js';

/** Probe endpoints would drown the log at info level: they log at debug. */
const PROBE_PATHS = new Set(['/health', '/ready', '/metrics']);

export type RequestOutcome = 'ok' | 'graphql_errors' | 'http_error';

export interface RequestLogOptions {
  /** Where the lines go (as child `component: "http"`). */
  logger: Logger;
}

/** One JSON line per request (see above); probes at debug level. */
export function useRequestLog({ logger }: RequestLogOptions): Plugin<object, NodeServerContext> {
  const log = logger.child({ component: 'http' });
  return {
    onRequest({ request, serverContext }) {
      requestInfo(request).clientAddress = clientAddress(serverContext);
    },
    onParams({ request, params }) {
      requestInfo(request).requestedOperation =
        typeof params.operationName === 'string' ? params.operationName.slice(0, 100) : null;
    },
    onExecute({ args }) {
      const operation = getOperationAST(args.document, args.operationName);
      if (operation)
        requestInfo(args.contextValue.request).operations.push({
          name: operation.name?.value ?? null,
          type: operation.operation,
        });
    },
    onSubscribe({ args }) {
      const operation = getOperationAST(args.document, args.operationName);
      if (operation)
        requestInfo(args.contextValue.request).operations.push({
          name: operation.name?.value ?? null,
          type: operation.operation,
        });
    },
    onExecutionResult({ request, result }) {
      if (!result || Symbol.asyncIterator in result) return;
      const codes = requestInfo(request).errorCodes;
      for (const error of result.errors ?? [])
        codes.add(typeof error.extensions?.code === 'string' ? error.extensions.code : 'UNKNOWN');
    },
    onResponse({ request, response }) {
      const info = requestInfo(request);
      response.headers.set(REQUEST_ID_HEADER, info.id);
      const path = redactDocumentPath(new URL(request.url, 'http://gateway').pathname);
      const status = response.status;
      const outcome: RequestOutcome = status >= 400 ? 'http_error' : info.errorCodes.size > 0 ? 'graphql_errors' : 'ok';
      const operation = info.operations[0];
      const line = {
        reqId: info.id,
        method: request.method,
        path,
        status,
        outcome,
        durationMs: Math.round((performance.now() - info.startedAt) * 100) / 100,
        principal: info.principal,
        operationName: operation ? operation.name : info.requestedOperation,
        operationType: operation?.type ?? null,
        ...(info.operations.length > 1 ? { batchSize: info.operations.length } : {}),
        ...(info.errorCodes.size ? { errorCodes: [...info.errorCodes] } : {}),
        clientAddress: info.clientAddress,
      };
      if (status >= 500) log.error(line, 'request failed');
      else if (PROBE_PATHS.has(path)) log.debug(line, 'probe');
      else log.info(line, 'request');
    },
  };
}
