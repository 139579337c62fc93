// Peer: the same Pothos schema executed by plain graphql-js `execute` behind node:http, with the
// context built as packages/server/src/context.ts builds it. No Yoga, no envelop, no plugins: the
// difference to the gateway is the server's cost (Yoga, fetch-API adaptation, gateway plugins);
// what remains is the schema's (Pothos plugins, Drizzle, SQLite, graphql-js itself).
// Parsed and validated documents are cached by query text, as Yoga does by default.
import { createServer } from 'node:http';
import { execute, GraphQLError, parse, validate, type DocumentNode } from 'graphql';
import { billingSchema } from '@billing/schema/graphql';
import {
  buildContext,
  closeOnSignals,
  gatewayParts,
  headersOf,
  listenAndAnnounce,
  readBody,
  sendJson,
  Unauthenticated,
} from './common.js';

const parts = await gatewayParts();
const schema = billingSchema();
const documents = new Map<string, DocumentNode | readonly GraphQLError[]>();

function documentFor(query: string): DocumentNode | readonly GraphQLError[] {
  let cached = documents.get(query);
  if (!cached) {
    try {
      const document = parse(query);
      const errors = validate(schema, document);
      cached = errors.length > 0 ? errors : document;
    } catch (error) {
      cached = [error instanceof GraphQLError ? error : new GraphQLError(String(error))];
    }
    if (documents.size < 1_000) documents.set(query, cached);
  }
  return cached;
}

const server = createServer((req, res) => {
  void (async () => {
    try {
      if (req.method !== 'POST') return sendJson(res, 405, JSON.stringify({ errors: [{ message: 'POST only' }] }));
      const body = JSON.parse(await readBody(req)) as {
        query?: string;
        variables?: Record<string, unknown>;
        operationName?: string;
      };
      const document = documentFor(String(body.query ?? ''));
      if (Array.isArray(document)) return sendJson(res, 400, JSON.stringify({ errors: document }));
      let contextValue: Awaited<ReturnType<typeof buildContext>>;
      try {
        contextValue = await buildContext(parts, headersOf(req));
      } catch (error) {
        if (error instanceof Unauthenticated)
          return sendJson(res, 401, JSON.stringify({ errors: [{ message: error.message }] }));
        throw error;
      }
      const result = await execute({
        schema,
        document: document as DocumentNode,
        contextValue,
        variableValues: body.variables ?? null,
        operationName: body.operationName ?? null,
      });
      sendJson(res, 200, JSON.stringify(result));
    } catch (error) {
      sendJson(res, 500, JSON.stringify({ errors: [{ message: error instanceof Error ? error.message : 'error' }] }));
    }
  })();
});

listenAndAnnounce(server, '/graphql');
closeOnSignals(server, () => parts.resources.close());
