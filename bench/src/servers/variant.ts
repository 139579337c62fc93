// The gateway with one lever changed, for measuring each lever on its own. Flags:
//   --app=gateway       the real app (createGatewayApp: Yoga + the gateway's plugins), default
//   --app=yoga          bare Yoga over the same schema and context (no gateway plugins)
//   --no-parse-cache    (yoga) Yoga's parser and validation caches off
//   --scope=off         scope-auth disabled (NOT a safe setting: only to price scope-auth)
//   --stmt-cache        better-sqlite3 statements cached by SQL text (prepared once, reused)
//   --response-cache    prototype response cache keyed by principal, cleared by payment events
//   --timing            time each phase; GET /__bench/timings, POST /__bench/timings/reset
import Database from 'better-sqlite3';
import { createRequire } from 'node:module';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';
import { GraphQLError, type DocumentNode, type ExecutionResult, type GraphQLSchema } from 'graphql';
import { AccessView, principalId } from '@billing/schema/billing';
import { billingSchema, type GraphQLContext } from '@billing/schema/graphql';
import { createGatewayApp, type Authenticator, type GatewayApp, type GatewayAppOptions } from '@billing/server';
// The builder is internal to @billing/schema; a relative import reaches the same module instance,
// so its scope-auth options can be changed before the schema is first built.
import { builder } from '../../../packages/schema/src/graphql/builder.js';
import { REPO_DIR } from '../options.js';
import {
  buildContext,
  closeOnSignals,
  gatewayParts,
  installStatementCache,
  listenAndAnnounce,
  sendJson,
  Unauthenticated,
} from './common.js';

type Plugin = NonNullable<GatewayAppOptions['plugins']>[number];

const { values: flags } = parseArgs({
  options: {
    app: { type: 'string', default: 'gateway' },
    'no-parse-cache': { type: 'boolean', default: false },
    scope: { type: 'string', default: 'default' },
    'stmt-cache': { type: 'boolean', default: false },
    'response-cache': { type: 'boolean', default: false },
    timing: { type: 'boolean', default: false },
  },
});

const parts = await gatewayParts();

// --- scope-auth -----------------------------------------------------------------------------------
let schema: GraphQLSchema;
if (flags.scope === 'off') {
  schema = builder.toSchema({ disableScopeAuth: true } as Parameters<typeof builder.toSchema>[0]);
} else {
  schema = billingSchema();
}
if (flags.scope !== 'default' && flags.app !== 'yoga')
  throw new Error('--scope needs --app=yoga (the gateway app builds its own schema)');

// --- timing ---------------------------------------------------------------------------------------
const timings = {
  requests: 0,
  totalMs: 0,
  authMs: 0,
  parseMs: 0,
  validateMs: 0,
  executeMs: 0,
  serializeMs: 0,
  sqlMs: 0,
  prepareMs: 0,
  statements: 0,
};
const resetTimings = () => {
  for (const key of Object.keys(timings) as (keyof typeof timings)[]) timings[key] = 0;
};

if (flags.timing) {
  // SQL: every statement's execution (better-sqlite3 is synchronous, so a sum is exact).
  const sample = parts.resources.store.sqliteConnections[0]!.prepare('SELECT 1');
  const statementProto = Object.getPrototypeOf(sample) as Record<string, (...args: unknown[]) => unknown>;
  for (const method of ['all', 'get', 'run', 'iterate'] as const) {
    const original = statementProto[method]!;
    statementProto[method] = function timed(this: unknown, ...args: unknown[]) {
      const t = performance.now();
      try {
        return original.apply(this, args);
      } finally {
        timings.sqlMs += performance.now() - t;
        timings.statements += 1;
      }
    };
  }
  const databaseProto = Database.prototype as unknown as Record<string, (...args: unknown[]) => unknown>;
  const prepare = databaseProto.prepare!;
  databaseProto.prepare = function timedPrepare(this: unknown, ...args: unknown[]) {
    const t = performance.now();
    try {
      return prepare.apply(this, args);
    } finally {
      timings.prepareMs += performance.now() - t;
    }
  };
  // Authentication and the grants lookup: the context factory's work.
  const authenticate = parts.authenticator.authenticate.bind(parts.authenticator);
  parts.authenticator.authenticate = async (headers) => {
    const t = performance.now();
    try {
      return await authenticate(headers);
    } finally {
      timings.authMs += performance.now() - t;
    }
  };
  const load = AccessView.load.bind(AccessView);
  AccessView.load = async (db, principal) => {
    const t = performance.now();
    try {
      return await load(db, principal);
    } finally {
      timings.authMs += performance.now() - t;
    }
  };
}

const timingPlugin: Plugin = {
  onParse() {
    const t = performance.now();
    return () => {
      timings.parseMs += performance.now() - t;
    };
  },
  onValidate() {
    const t = performance.now();
    return () => {
      timings.validateMs += performance.now() - t;
    };
  },
  onExecute() {
    const t = performance.now();
    return {
      onExecuteDone() {
        timings.executeMs += performance.now() - t;
      },
    };
  },
  onResultProcess({ result }) {
    // What serialization costs: the same JSON.stringify the result processor runs.
    const t = performance.now();
    JSON.stringify(result);
    timings.serializeMs += performance.now() - t;
  },
};

// --- prepared statement cache -------------------------------------------------------------------
if (flags['stmt-cache']) for (const c of parts.resources.store.sqliteConnections) installStatementCache(c);

// --- response cache prototype -------------------------------------------------------------------
const responseCache = new WeakMap<DocumentNode, Map<string, ExecutionResult>>();
let cachedDocuments = new Set<DocumentNode>();
const clearResponses = () => {
  for (const document of cachedDocuments) responseCache.delete(document);
  cachedDocuments = new Set();
};
if (flags['response-cache']) {
  void (async () => {
    for await (const _event of parts.services.events.subscribe()) clearResponses();
  })();
}
const responseCachePlugin: Plugin = {
  onExecute({ args, setResultAndStopExecution }) {
    const isQuery = args.document.definitions.every(
      (d: DocumentNode['definitions'][number]) => d.kind !== 'OperationDefinition' || d.operation === 'query',
    );
    if (!isQuery) {
      clearResponses(); // any mutation may change what someone sees (cards, keys): drop everything
      return;
    }
    const context = args.contextValue as unknown as GraphQLContext;
    const key = `${context.access.principal ? principalId(context.access.principal) : 'anonymous'}\n${args.operationName ?? ''}\n${JSON.stringify(args.variableValues ?? {})}`;
    const cached = responseCache.get(args.document)?.get(key);
    if (cached) {
      setResultAndStopExecution(cached);
      return;
    }
    return {
      onExecuteDone({ result }) {
        if ('errors' in result && result.errors?.length) return;
        if (Symbol.asyncIterator in result) return;
        let entries = responseCache.get(args.document);
        if (!entries) {
          entries = new Map();
          responseCache.set(args.document, entries);
          cachedDocuments.add(args.document);
        }
        if (entries.size < 10_000) entries.set(key, result as ExecutionResult);
      },
    };
  },
};

// --- the app --------------------------------------------------------------------------------------
const plugins: Plugin[] = [
  ...(flags.timing ? [timingPlugin] : []),
  ...(flags['response-cache'] ? [responseCachePlugin] : []),
];

async function bareYoga(): Promise<GatewayApp> {
  // graphql-yoga is a dependency of @billing/server, not of the bench: load the same package from there.
  const require = createRequire(`${REPO_DIR}/packages/server/package.json`);
  const cjsEntry = require.resolve('graphql-yoga');
  const esmEntry = cjsEntry.replace(/cjs\/index\.js$/, 'esm/index.js');
  const yoga = (await import(pathToFileURL(esmEntry).href)) as {
    createYoga: (options: Record<string, unknown>) => GatewayApp;
  };
  return yoga.createYoga({
    schema,
    graphqlEndpoint: '/graphql',
    graphiql: false,
    landingPage: false,
    logging: false,
    maskedErrors: true,
    parserAndValidationCache: !flags['no-parse-cache'],
    context: async ({ request }: { request: Request }) => {
      try {
        return await buildContext(parts, request.headers);
      } catch (error) {
        if (error instanceof Unauthenticated)
          throw new GraphQLError(error.message, { extensions: { http: { status: 401 } } });
        throw error;
      }
    },
    plugins,
  });
}

const app: GatewayApp =
  flags.app === 'yoga'
    ? await bareYoga()
    : createGatewayApp({
        config: parts.config,
        services: parts.services,
        authenticator: parts.authenticator as Authenticator,
        plugins,
      });

const server = createServer((req: IncomingMessage, res: ServerResponse) => {
  if (req.url === '/__bench/timings') {
    if (req.method === 'POST') resetTimings();
    return sendJson(res, 200, JSON.stringify(timings));
  }
  if (!flags.timing) return void app(req, res);
  const t = performance.now();
  res.once('finish', () => {
    timings.requests += 1;
    timings.totalMs += performance.now() - t;
  });
  return void app(req, res);
});

listenAndAnnounce(server, '/graphql');
closeOnSignals(server, () => Promise.resolve(app.dispose()).finally(() => parts.resources.close()));
