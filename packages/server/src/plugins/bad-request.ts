// A request Yoga cannot read is the caller's mistake: 400, not 500. Yoga already answers broken
// JSON bodies with 400, but a GET with malformed JSON in `variables` or `extensions` throws a plain
// SyntaxError from its URL parser, which would be masked as an unexpected (500) error.
import { GraphQLError } from 'graphql';
import type { Plugin } from 'graphql-yoga';

export function useBadRequestsAs400(): Plugin {
  return {
    onRequestParse({ requestParser, setRequestParser }) {
      if (!requestParser) return;
      const parse = requestParser;
      setRequestParser(async (request) => {
        try {
          return await parse(request);
        } catch (error) {
          if (error instanceof GraphQLError || !(error instanceof SyntaxError)) throw error;
          throw new GraphQLError('The request parameters are not valid JSON.', {
            extensions: { code: 'BAD_REQUEST', http: { status: 400, spec: true } },
          });
        }
      });
    },
  };
}
