// A running gateway: resources, app and HTTP server, started and stopped as one.
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { isoDate, reconcileStalePayments, startReconciler, type Clock } from '@billing/schema/billing';
import { isDatabaseEmpty, seedDemoData, type DemoSeedResult, type OpenDatabaseOptions } from '@billing/schema/db';
import { createAuthenticator, type Authenticator } from './auth.js';
import { createGatewayApp, GRAPHQL_PATH, type GatewayApp } from './app.js';
import type { GatewayConfig } from './config.js';
import { createResources, type GatewayResources } from './services.js';

export interface RunningGateway {
  url: string;
  graphqlUrl: string;
  app: GatewayApp;
  server: Server;
  resources: GatewayResources;
  authenticator: Authenticator;
  /** Set when this start seeded an empty database. */
  seeded: DemoSeedResult | null;
  close(): Promise<void>;
}

export interface StartGatewayOptions {
  clock?: Clock;
  onQuery?: OpenDatabaseOptions['onQuery'];
}

export async function startGateway(config: GatewayConfig, options: StartGatewayOptions = {}): Promise<RunningGateway> {
  const resources = createResources(config, options);
  const { services } = resources;
  const seeded =
    config.seedDemoData && isDatabaseEmpty(resources.database)
      ? seedDemoData(resources.database, { today: isoDate(services.clock.now()) })
      : null;
  // Attempts a crashed process left PROCESSING are settled before taking traffic.
  await reconcileStalePayments(services);
  const stopReconciler = startReconciler(services, config.payments.reconcileIntervalMs);

  const authenticator = createAuthenticator(config, services);
  const app = createGatewayApp({ config, services, authenticator });
  const server = createServer(app);
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(config.port, config.host, () => resolve());
  });
  const address = server.address() as AddressInfo;
  const host = address.family === 'IPv6' ? `[${address.address}]` : address.address;
  const url = `http://${host}:${address.port}`;

  let closing: Promise<void> | null = null;
  return {
    url,
    graphqlUrl: `${url}${GRAPHQL_PATH}`,
    app,
    server,
    resources,
    authenticator,
    seeded,
    close() {
      closing ??= (async () => {
        stopReconciler();
        await new Promise<void>((resolve) => {
          server.close(() => resolve());
          server.closeIdleConnections();
        });
        await app.dispose();
        resources.close();
      })();
      return closing;
    },
  };
}
