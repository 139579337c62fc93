// The Yoga app factory: schema + context + gateway plugins. `main.ts` hands it to node:http.
import { renderGraphiQL } from '@graphql-yoga/render-graphiql';
import { createYoga, type Plugin, type YogaServerInstance } from 'graphql-yoga';
import { billingSchema, type GraphQLContext } from '@billing/schema/graphql';
import type { BillingServices } from '@billing/schema/billing';
import type { Authenticator } from './auth.js';
import type { GatewayConfig } from './config.js';
import { createContextFactory } from './context.js';
import { GRAPHIQL_DEFAULT_QUERY } from './graphiql.js';

export const GRAPHQL_PATH = '/graphql';

export interface GatewayAppOptions {
  config: GatewayConfig;
  services: BillingServices;
  authenticator: Authenticator;
  plugins?: Plugin[];
}

export type GatewayApp = YogaServerInstance<Record<string, never>, GraphQLContext>;

export function createGatewayApp(options: GatewayAppOptions): GatewayApp {
  const { config } = options;
  return createYoga<Record<string, never>, GraphQLContext>({
    schema: billingSchema(),
    graphqlEndpoint: GRAPHQL_PATH,
    context: createContextFactory(options.services, options.authenticator),
    graphiql: config.graphiql
      ? { title: 'Billing gateway', defaultQuery: GRAPHIQL_DEFAULT_QUERY, headers: '{\n  "Authorization": "Bearer <token>"\n}' }
      : false,
    // GraphiQL's assets are served by the gateway itself, so it works without a CDN (and offline).
    renderGraphiQL,
    landingPage: false,
    // Unexpected errors never leak internals; development keeps the original message for debugging.
    maskedErrors: { isDev: config.mode === 'development' },
    logging: false,
    plugins: options.plugins ?? [],
  });
}
