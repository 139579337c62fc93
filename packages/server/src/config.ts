// Configuration from the environment. Every knob has a default that runs the embedded demo.
import { DEFAULT_EVENT_RETENTION_DAYS } from '@billing/schema/billing';
import type { TraceExporterName } from './tracing.js';
import { createRequire } from 'node:module';
import { resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { RedisConfig } from './redis.js';
import { webhookEncryptionKey } from '@billing/schema/billing';

/** The SDK's trusted-documents manifest (sha256 hash -> document), from the package's own export. */
export const DEFAULT_TRUSTED_DOCUMENTS_PATH = createRequire(import.meta.url).resolve(
  '@billing/sdk/trusted-documents.json',
);

/** The default data folder: `data/` at the repository root. */
export const REPOSITORY_DATA_DIR = fileURLToPath(new URL('../../../data', import.meta.url));

export type GatewayMode = 'development' | 'production';

export interface GatewayConfig {
  mode: GatewayMode;
  host: string;
  port: number;
  /** SQLite file, or `:memory:` (the embedded default, used when `databaseUrl` is unset). */
  databasePath: string;
  /** `postgres://...`: run on PostgreSQL instead of the SQLite file. */
  databaseUrl?: string;
  /** PostgreSQL connections per instance. */
  databasePoolSize: number;
  /** Seed demo data when the database is empty at start-up. */
  seedDemoData: boolean;
  auth: {
    /** Shared HS256 secret for locally minted tokens (embedded default). */
    hs256Secret?: string;
    /** Production: verify RS/ES tokens against this JWKS. */
    jwksUrl?: string;
    issuer: string;
    audience: string;
    /** Where the embedded default keeps its generated HS256 secret. */
    secretFile: string;
    /** Longest bearer-token lifetime accepted (`exp` minus `iat`), and what locally minted tokens get. */
    maxTokenLifetimeSeconds: number;
  };
  payments: {
    /** `sandbox`: in this process (the embedded default); `http`: a processor service at `processorUrl`. */
    processor: 'sandbox' | 'http';
    /** The processor service (PROCESSOR_URL), for `processor: 'http'`. */
    processorUrl?: string;
    sandboxLedgerPath: string;
    sandboxLatencyMs: number;
    /** Charge calls slower than this count as timed out and go to reconciliation. */
    processorTimeoutMs: number;
    /** A PROCESSING attempt older than this is reconciled with the processor. */
    reconcileAfterMs: number;
    reconcileIntervalMs: number;
    /** Dunning: days after each declined automatic charge before the next (AUTOPAY_RETRY_DAYS, e.g. `1,3,7`). */
    autopayRetryDays: number[];
    /** How often this instance looks for automatic charges that are due (one instance runs each pass). */
    autopayIntervalMs: number;
  };
  documents: {
    /** Signs invoice download links; default: derived from the HS256 secret (or its generated file). */
    linkSecret?: string;
    /** How long a download link works. */
    linkTtlMs: number;
  };
  /** Signed webhooks (see docs/webhooks.md). */
  webhooks: {
    /**
     * WEBHOOK_ENCRYPTION_KEY: the AES-256-GCM key endpoint secrets are encrypted under at rest, 64 hex
     * digits or base64 of 32 bytes, the same on every instance. Required in production; development uses
     * a fixed, public key (so development data is not protected by it).
     */
    encryptionKey?: string;
    /** WEBHOOK_WORKER_INTERVAL_MS: how often this instance sends due deliveries; 0 runs no worker here. */
    workerIntervalMs: number;
    /** WEBHOOK_MAX_ATTEMPTS: attempts per delivery before it is FAILED. */
    maxAttempts: number;
    /** WEBHOOK_TIMEOUT_MS: one attempt gives up after this. */
    timeoutMs: number;
    /**
     * WEBHOOK_ALLOW_PRIVATE_ADDRESSES: endpoints may be loopback, private or link-local addresses.
     * Default: only in development. Production also requires https.
     */
    allowPrivateAddresses: boolean;
  };
  /** Abuse limits; see plugins/document-limits.ts and plugins/operation-cost.ts for how each is counted. */
  limits: {
    /** Nesting of field selections (fragments expanded; introspection's own nesting is not counted). */
    maxDepth: number;
    /** Aliases per operation, `__typename` included. */
    maxAliases: number;
    /** Directives per operation. */
    maxDirectives: number;
    /** Lexical tokens per document. */
    maxTokens: number;
    /** Field selections per operation, each fragment counted at every spread, `__typename` included. */
    maxFields: number;
    /** Estimated values in the response: list fields multiply by their page size (see operation-cost.ts). */
    maxCost: number;
    /** Request body size; larger bodies get 413. */
    maxBodyBytes: number;
    /** Operations per batched request; 0 refuses batches. */
    maxBatch: number;
    /** Operations per minute per user or API key; 0 turns the limit off. */
    rateLimitPerMinute: number;
    /** Operations per minute per client address for anonymous calls and failed sign-ins; 0 turns it off. */
    anonymousRateLimitPerMinute: number;
    /** payInvoice calls per minute per user or API key (card-testing protection); 0 turns it off. */
    payInvoicePerMinute: number;
    /** addPaymentMethod calls per minute per user or API key (card-testing protection); 0 turns it off. */
    addPaymentMethodPerMinute: number;
    /** Open subscription streams per user or API key (429 past it). */
    maxStreamsPerPrincipal: number;
    /** Open subscription streams on this instance (503 past it). */
    maxStreams: number;
  };
  /** OpenTelemetry spans (see tracing.ts); off unless OTEL_TRACES_EXPORTER names an exporter. */
  tracing: {
    exporter: TraceExporterName;
    /** The `service.name` resource attribute (OTEL_SERVICE_NAME). */
    serviceName: string;
  };
  /** Compiled execution of repeated queries (see plugins/compiled-queries.ts). */
  compiledQueries: {
    /** Runs of a query document on the interpreter before it is compiled; -1 (`off`): never. */
    compileAfter: number;
  };
  /** The response cache (see response-cache/plugin.ts). */
  responseCache: {
    /** How long an answer may be kept; 0 turns the cache off. */
    ttlMs: number;
  };
  events: {
    /** Days the event log keeps events (stream resume and webhook replay reach this far back). */
    retentionDays: number;
    /** How often this instance deletes events past retention. */
    pruneIntervalMs: number;
  };
  /** Shared by every instance (REDIS_URL): billing events and rate-limit buckets. Absent: in-process. */
  redis?: RedisConfig;
  graphiql: boolean;
  introspection: boolean;
  /** Only operations from the SDK's trusted-documents manifest execute. */
  trustedDocumentsOnly: boolean;
  /**
   * The SDK's documents, JSON mapping `sha256:<hex>` (or `<hex>`) to text: the only ones that run when
   * `trustedDocumentsOnly`, otherwise known by hash to automatic persisted queries from the start.
   */
  trustedDocumentsPath: string;
  /** Browser origins allowed to call the API cross-origin (exact match); empty allows none. */
  corsOrigins: string[];
  logLevel: string;
  /** Bearer token for /metrics. Without it /metrics is open in development and absent (404) in production. */
  metricsToken?: string;
  /**
   * On SIGTERM, how long to keep serving while /ready answers 503, so a load balancer stops routing
   * here before the listener closes (set it above the readiness probe period behind one).
   */
  shutdownDelayMs: number;
  /** Then, how long in-flight requests may take before their connections are cut. */
  shutdownTimeoutMs: number;
  /** Test-only fault injection (see billing/payment-flow). Never set in production. */
  faultInjection?: string;
}

type Env = Record<string, string | undefined>;

function int(env: Env, name: string, fallback: number): number {
  const raw = env[name];
  if (raw === undefined || raw === '') return fallback;
  const value = Number(raw);
  if (!Number.isSafeInteger(value) || value < 0)
    throw new Error(`${name} must be a non-negative integer, got "${raw}"`);
  return value;
}

function dayList(env: Env, name: string, fallback: number[]): number[] {
  const raw = env[name];
  if (raw === undefined) return fallback;
  if (raw.trim() === '') return [];
  const days = raw.split(',').map((part) => Number(part.trim()));
  if (days.some((d) => !Number.isSafeInteger(d) || d <= 0))
    throw new Error(`${name} must be positive whole days separated by commas (e.g. 1,3,7), got "${raw}"`);
  return days;
}

function bool(env: Env, name: string, fallback: boolean): boolean {
  const raw = env[name];
  if (raw === undefined || raw === '') return fallback;
  if (['1', 'true', 'yes', 'on'].includes(raw.toLowerCase())) return true;
  if (['0', 'false', 'no', 'off'].includes(raw.toLowerCase())) return false;
  throw new Error(`${name} must be true or false, got "${raw}"`);
}

/**
 * An unknown adapter, or `http` without its URL, is a configuration error at start-up rather than a
 * surprise at the first payment.
 */
function paymentProcessor(env: Env): Pick<GatewayConfig['payments'], 'processor' | 'processorUrl'> {
  const raw = env.PAYMENT_PROCESSOR;
  if (raw === undefined || raw === '' || raw === 'sandbox') return { processor: 'sandbox' };
  if (raw === 'http') {
    const url = env.PROCESSOR_URL;
    if (!url || !/^https?:\/\//.test(url))
      throw new Error('PAYMENT_PROCESSOR=http needs PROCESSOR_URL (http://host:port of the processor service)');
    return { processor: 'http', processorUrl: url };
  }
  throw new Error(`PAYMENT_PROCESSOR "${raw}" is not available: the adapters are "sandbox" and "http"`);
}

const TRACE_EXPORTERS: readonly TraceExporterName[] = ['none', 'otlp', 'console'];

function traceExporter(env: Env): TraceExporterName {
  const raw = env.OTEL_TRACES_EXPORTER;
  if (raw === undefined || raw === '') return 'none';
  const name = TRACE_EXPORTERS.find((exporter) => exporter === raw);
  if (!name) throw new Error(`OTEL_TRACES_EXPORTER "${raw}" is not available: use ${TRACE_EXPORTERS.join(', ')}`);
  return name;
}

function redisConfig(env: Env): RedisConfig | undefined {
  const url = env.REDIS_URL;
  if (url === undefined || url === '') return undefined;
  if (!/^rediss?:\/\//.test(url)) throw new Error(`REDIS_URL must start with redis:// or rediss://, got "${url}"`);
  return {
    url,
    keyPrefix: env.REDIS_KEY_PREFIX ?? 'billing-gateway:',
    commandTimeoutMs: int(env, 'REDIS_COMMAND_TIMEOUT_MS', 500),
  };
}

function databaseUrl(raw: string): string {
  if (/^postgres(ql)?:\/\//.test(raw)) return raw;
  throw new Error('DATABASE_URL must be a postgres:// URL (leave it unset for the embedded SQLite file)');
}

/** What the store opens: the PostgreSQL URL, else the SQLite file. */
export const databaseLocation = (config: GatewayConfig) => config.databaseUrl ?? config.databasePath;

/** The database for logs and banners, without a password. */
export function describeDatabase(config: GatewayConfig): string {
  if (!config.databaseUrl) return config.databasePath;
  const url = new URL(config.databaseUrl);
  url.password = '';
  return `PostgreSQL ${url.host}${url.pathname}`;
}

export function loadConfig(env: Env = process.env, overrides: Partial<GatewayConfig> = {}): GatewayConfig {
  const mode: GatewayMode =
    env.BILLING_MODE === 'production' || env.NODE_ENV === 'production' ? 'production' : 'development';
  const dev = mode === 'development';
  // `./data` at the repository root, whichever package directory pnpm runs a script in; a relative
  // BILLING_DATA_DIR is read from where the command was typed (pnpm's INIT_CWD).
  const dataDir = env.BILLING_DATA_DIR
    ? resolve(env.INIT_CWD ?? process.cwd(), env.BILLING_DATA_DIR)
    : REPOSITORY_DATA_DIR;
  const databasePath = env.DATABASE_PATH ?? resolve(dataDir, 'billing.db');
  const redis = redisConfig(env);
  const config: GatewayConfig = {
    mode,
    host: env.HOST ?? '127.0.0.1',
    port: int(env, 'PORT', 4000),
    databasePath,
    ...(env.DATABASE_URL ? { databaseUrl: databaseUrl(env.DATABASE_URL) } : {}),
    databasePoolSize: int(env, 'DATABASE_POOL_SIZE', 10),
    seedDemoData: bool(env, 'SEED_DEMO_DATA', dev),
    auth: {
      ...(env.JWT_SECRET ? { hs256Secret: env.JWT_SECRET } : {}),
      ...(env.JWKS_URL ? { jwksUrl: env.JWKS_URL } : {}),
      issuer: env.JWT_ISSUER ?? 'billing-gateway-dev',
      audience: env.JWT_AUDIENCE ?? 'billing-gateway',
      secretFile: env.JWT_SECRET_FILE ?? resolve(dataDir, 'dev-jwt-secret'),
      maxTokenLifetimeSeconds: int(env, 'JWT_MAX_LIFETIME_SECONDS', 12 * 60 * 60),
    },
    payments: {
      ...paymentProcessor(env),
      sandboxLedgerPath:
        env.SANDBOX_LEDGER_PATH ??
        (databasePath === ':memory:' && !env.DATABASE_URL ? ':memory:' : resolve(dataDir, 'sandbox-ledger.db')),
      sandboxLatencyMs: int(env, 'SANDBOX_LATENCY_MS', 0),
      processorTimeoutMs: int(env, 'PROCESSOR_TIMEOUT_MS', 10_000),
      reconcileAfterMs: int(env, 'RECONCILE_AFTER_MS', 60_000),
      reconcileIntervalMs: int(env, 'RECONCILE_INTERVAL_MS', 30_000),
      autopayRetryDays: dayList(env, 'AUTOPAY_RETRY_DAYS', [1, 3, 7]),
      autopayIntervalMs: int(env, 'AUTOPAY_INTERVAL_MS', 60_000),
    },
    documents: {
      ...(env.DOCUMENT_LINK_SECRET ? { linkSecret: env.DOCUMENT_LINK_SECRET } : {}),
      linkTtlMs: int(env, 'DOCUMENT_LINK_TTL_MS', 5 * 60 * 1000),
    },
    webhooks: {
      ...(env.WEBHOOK_ENCRYPTION_KEY ? { encryptionKey: env.WEBHOOK_ENCRYPTION_KEY } : {}),
      workerIntervalMs: int(env, 'WEBHOOK_WORKER_INTERVAL_MS', 5_000),
      maxAttempts: Math.max(1, int(env, 'WEBHOOK_MAX_ATTEMPTS', 12)),
      timeoutMs: Math.max(1, int(env, 'WEBHOOK_TIMEOUT_MS', 10_000)),
      allowPrivateAddresses: bool(env, 'WEBHOOK_ALLOW_PRIVATE_ADDRESSES', dev),
    },
    limits: {
      maxDepth: int(env, 'MAX_DEPTH', 12),
      maxAliases: int(env, 'MAX_ALIASES', 30),
      maxDirectives: int(env, 'MAX_DIRECTIVES', 5),
      maxTokens: int(env, 'MAX_TOKENS', 1_000),
      maxFields: int(env, 'MAX_FIELDS', 250),
      maxCost: int(env, 'MAX_COST', 50_000),
      maxBodyBytes: int(env, 'MAX_BODY_BYTES', 100_000),
      maxBatch: int(env, 'MAX_BATCH', 0),
      rateLimitPerMinute: int(env, 'RATE_LIMIT_PER_MINUTE', 600),
      anonymousRateLimitPerMinute: int(env, 'ANONYMOUS_RATE_LIMIT_PER_MINUTE', 60),
      payInvoicePerMinute: int(env, 'PAY_INVOICE_PER_MINUTE', 10),
      addPaymentMethodPerMinute: int(env, 'ADD_PAYMENT_METHOD_PER_MINUTE', 5),
      maxStreamsPerPrincipal: int(env, 'MAX_STREAMS_PER_PRINCIPAL', 5),
      maxStreams: int(env, 'MAX_STREAMS', 1_000),
    },
    tracing: { exporter: traceExporter(env), serviceName: env.OTEL_SERVICE_NAME ?? 'billing-gateway' },
    compiledQueries: {
      compileAfter: env.COMPILE_QUERIES_AFTER === 'off' ? -1 : int(env, 'COMPILE_QUERIES_AFTER', 2),
    },
    responseCache: { ttlMs: int(env, 'RESPONSE_CACHE_TTL_MS', 0) },
    events: {
      retentionDays: int(env, 'EVENT_RETENTION_DAYS', DEFAULT_EVENT_RETENTION_DAYS),
      pruneIntervalMs: int(env, 'EVENT_PRUNE_INTERVAL_MS', 3_600_000),
    },
    ...(redis ? { redis } : {}),
    graphiql: bool(env, 'GRAPHIQL', dev),
    introspection: bool(env, 'INTROSPECTION', dev),
    trustedDocumentsOnly: bool(env, 'TRUSTED_DOCUMENTS_ONLY', false),
    trustedDocumentsPath: env.TRUSTED_DOCUMENTS_PATH ?? DEFAULT_TRUSTED_DOCUMENTS_PATH,
    corsOrigins: (env.CORS_ORIGINS ?? (dev ? 'http://localhost:5173,http://127.0.0.1:5173' : ''))
      .split(',')
      .map((s) => s.trim())
      .filter(Boolean),
    logLevel: env.LOG_LEVEL ?? 'info',
    ...(env.METRICS_TOKEN ? { metricsToken: env.METRICS_TOKEN } : {}),
    shutdownDelayMs: int(env, 'SHUTDOWN_DELAY_MS', 0),
    shutdownTimeoutMs: int(env, 'SHUTDOWN_TIMEOUT_MS', 10_000),
    // Test-only crash points are honoured in development mode only.
    ...(dev && env.BILLING_FAULT_INJECTION ? { faultInjection: env.BILLING_FAULT_INJECTION } : {}),
    ...overrides,
  };
  if (config.mode === 'production' && !config.auth.jwksUrl && !config.auth.hs256Secret) {
    throw new Error('production mode needs JWKS_URL (or JWT_SECRET) for user authentication');
  }
  // A generated file would differ per instance, and a link signed by one would fail on another.
  if (config.mode === 'production' && !config.auth.hs256Secret && !config.documents.linkSecret) {
    throw new Error('production mode with JWKS_URL needs DOCUMENT_LINK_SECRET (signs invoice download links)');
  }
  if (config.mode === 'production' && !config.webhooks.encryptionKey) {
    throw new Error('production mode needs WEBHOOK_ENCRYPTION_KEY (encrypts webhook signing secrets at rest)');
  }
  // A malformed key fails here, at start-up, not at the first endpoint.
  if (config.webhooks.encryptionKey) webhookEncryptionKey(config.webhooks.encryptionKey);
  return config;
}
