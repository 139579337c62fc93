// In-process Yoga for the plugins' unit tests: one plugin (or a few) over a tiny schema, driven
// with `yoga.fetch`, no socket. The over-HTTP tests in test/ cover the gateway as assembled.
import { createSchema, createYoga, type Plugin } from 'graphql-yoga';
import type { GraphQLSchema } from 'graphql';

/** `hello`, a failing `boom`, and a list `words(first)` to page over. */
export const tinySchema = createSchema({
  typeDefs: /* GraphQL */ `
    type Query {
      hello: String!
      boom: String
      words(first: Int): [String!]!
    }
    type Mutation {
      touch: Boolean!
    }
  `,
  resolvers: {
    Query: {
      hello: () => 'world',
      boom: () => {
        throw new Error('kaboom');
      },
      words: (_root: unknown, args: { first?: number | null }) => ['a', 'b', 'c'].slice(0, args.first ?? 3),
    },
    Mutation: { touch: () => true },
  },
});

export function pluginYoga(plugins: Plugin[], schema: GraphQLSchema = tinySchema) {
  return createYoga({ schema, plugins, logging: false, landingPage: false, graphiql: false });
}

export interface FetchedResponse {
  status: number;
  headers: Headers;
  text: string;
  json: { data?: Record<string, unknown> | null; errors?: { message: string; extensions?: Record<string, unknown> }[] };
}

/** POSTs one operation (JSON) to `/graphql` of an in-process Yoga. */
export async function postTo(
  yoga: { fetch: (url: string, init: RequestInit) => Response | Promise<Response> },
  body: {
    query?: string;
    variables?: Record<string, unknown>;
    operationName?: string;
    extensions?: Record<string, unknown>;
    documentId?: string;
  },
  headers: Record<string, string> = {},
): Promise<FetchedResponse> {
  const response = await yoga.fetch('http://yoga/graphql', {
    method: 'POST',
    headers: { 'content-type': 'application/json', accept: 'application/graphql-response+json', ...headers },
    body: JSON.stringify(body),
  });
  const text = await response.text();
  let json: FetchedResponse['json'] = {};
  try {
    json = JSON.parse(text) as FetchedResponse['json'];
  } catch {
    // not JSON: `text` has it
  }
  return { status: response.status, headers: response.headers, text, json };
}
