// Errors Yoga masks itself (a resolver throwing, a database failure) become "Unexpected error." in
// production. This catches what is left: an exception escaping the request handler, which the
// underlying server adapter would otherwise answer with the exception's stack as the response body.
import type { Plugin } from 'graphql-yoga';
import { DATABASE_UNAVAILABLE_MESSAGE, isDatabaseUnavailable } from '@billing/schema/db';
import { errorResponseBody } from '../gateway-error.js';
import type { Logger } from '../logger.js';
import { requestInfo } from '../request-info.js';

export interface LastResortOptions {
  /** Where the escaped exception is logged (never the response). */
  logger: Logger;
}

/** Seconds a client is asked to wait while the database is unavailable. */
export const DATABASE_RETRY_AFTER_SECONDS = 2;

/**
 * Answers an exception escaping the request pipeline with a plain 500 JSON error; or 503 with
 * Retry-After when it is the database being unavailable (authentication reads it before GraphQL).
 */
export function useLastResortErrorResponse({ logger }: LastResortOptions): Plugin {
  return {
    onRequest({ requestHandler, setRequestHandler, fetchAPI }) {
      setRequestHandler(async (request, serverContext) => {
        try {
          return await requestHandler(request, serverContext);
        } catch (error) {
          if (isDatabaseUnavailable(error)) {
            logger.warn({ reqId: requestInfo(request).id, err: error }, 'database unavailable');
            return new fetchAPI.Response(errorResponseBody('DATABASE_UNAVAILABLE', DATABASE_UNAVAILABLE_MESSAGE), {
              status: 503,
              headers: { 'content-type': 'application/json', 'retry-after': String(DATABASE_RETRY_AFTER_SECONDS) },
            });
          }
          logger.error({ err: error, reqId: requestInfo(request).id }, 'unhandled error in the request pipeline');
          return new fetchAPI.Response(errorResponseBody('INTERNAL_SERVER_ERROR', 'Unexpected error.'), {
            status: 500,
            headers: { 'content-type': 'application/json' },
          });
        }
      });
    },
  };
}
