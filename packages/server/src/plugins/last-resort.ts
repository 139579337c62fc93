// Errors Yoga masks itself (a resolver throwing, a database failure) become "Unexpected error." in
// production. This catches what is left: an exception escaping the request handler, which the
// underlying server adapter would otherwise answer with the exception's stack as the response body.
import type { Plugin } from 'graphql-yoga';
import { errorResponseBody } from '../gateway-error.js';
import type { Logger } from '../logger.js';
import { requestInfo } from '../request-info.js';

export interface LastResortOptions {
  /** Where the escaped exception is logged (never the response). */
  logger: Logger;
}

/** Answers an exception escaping the request pipeline with a plain 500 JSON error. */
export function useLastResortErrorResponse({ logger }: LastResortOptions): Plugin {
  return {
    onRequest({ requestHandler, setRequestHandler, fetchAPI }) {
      setRequestHandler(async (request, serverContext) => {
        try {
          return await requestHandler(request, serverContext);
        } catch (error) {
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
