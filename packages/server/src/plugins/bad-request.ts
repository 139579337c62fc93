// A request Yoga cannot read is the caller's mistake: 400, never 200 or 500, whatever the Accept
// header and the mode. Yoga marks its own "invalid JSON" error `http.spec`, which it then answers
// with 200 to `accept: application/json` (the legacy media type) once production masking has
// removed the parser's original error; a GET with malformed JSON in `variables` or `extensions`
// throws a plain SyntaxError from its URL parser, which would be masked as an unexpected (500) error.
import { GraphQLError } from 'graphql';
import type { Plugin } from 'graphql-yoga';
import { gatewayError } from '../gateway-error.js';

export function useBadRequestsAs400(): Plugin {
  return {
    onRequestParse({ requestParser, setRequestParser }) {
      if (!requestParser) return;
      const parse = requestParser;
      setRequestParser(async (request) => {
        try {
          return await parse(request);
        } catch (error) {
          if (error instanceof GraphQLError) {
            const http = error.extensions.http as { status?: number; spec?: boolean } | undefined;
            if (http?.status !== 400 || !http.spec) throw error;
            throw new GraphQLError(error.message, {
              extensions: { ...error.extensions, http: { ...http, spec: false } },
            });
          }
          if (!(error instanceof SyntaxError)) throw error;
          throw gatewayError('BAD_REQUEST', 'The request parameters are not valid JSON.', { http: { status: 400 } });
        }
      });
    },
  };
}
