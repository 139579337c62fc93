// Configuration from the environment. Every knob has a default that runs the embedded demo.
import { resolve } from 'node:path';

export type GatewayMode = 'development' | 'production';

export interface GatewayConfig {
  mode: GatewayMode;
  host: string;
  port: number;
  /** SQLite file, or `:memory:`. */
  databasePath: string;
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
  };
  payments: {
    processor: 'sandbox';
    sandboxLedgerPath: string;
    sandboxLatencyMs: number;
    /** Charge calls slower than this count as timed out and go to reconciliation. */
    processorTimeoutMs: number;
    /** A PROCESSING attempt older than this is reconciled with the processor. */
    reconcileAfterMs: number;
    reconcileIntervalMs: number;
  };
  limits: {
    maxDepth: number;
    maxAliases: number;
    maxDirectives: number;
    maxTokens: number;
    maxCost: number;
    maxBodyBytes: number;
    maxBatch: number;
    rateLimitPerMinute: number;
    anonymousRateLimitPerMinute: number;
  };
  graphiql: boolean;
  introspection: boolean;
  /** Only operations from the SDK's trusted-documents manifest execute. */
  trustedDocumentsOnly: boolean;
  corsOrigins: string[];
  logLevel: string;
  /** Test-only fault injection (see billing/payment-flow). Never set in production. */
  faultInjection?: string;
}

type Env = Record<string, string | undefined>;

function int(env: Env, name: string, fallback: number): number {
  const raw = env[name];
  if (raw === undefined || raw === '') return fallback;
  const value = Number(raw);
  if (!Number.isSafeInteger(value) || value < 0) throw new Error(`${name} must be a non-negative integer, got "${raw}"`);
  return value;
}

function bool(env: Env, name: string, fallback: boolean): boolean {
  const raw = env[name];
  if (raw === undefined || raw === '') return fallback;
  if (['1', 'true', 'yes', 'on'].includes(raw.toLowerCase())) return true;
  if (['0', 'false', 'no', 'off'].includes(raw.toLowerCase())) return false;
  throw new Error(`${name} must be true or false, got "${raw}"`);
}

export function loadConfig(env: Env = process.env, overrides: Partial<GatewayConfig> = {}): GatewayConfig {
  const mode: GatewayMode = env.BILLING_MODE === 'production' || env.NODE_ENV === 'production' ? 'production' : 'development';
  const dev = mode === 'development';
  const dataDir = resolve(env.BILLING_DATA_DIR ?? 'data');
  const databasePath = env.DATABASE_PATH ?? resolve(dataDir, 'billing.db');
  const config: GatewayConfig = {
    mode,
    host: env.HOST ?? '127.0.0.1',
    port: int(env, 'PORT', 4000),
    databasePath,
    seedDemoData: bool(env, 'SEED_DEMO_DATA', dev),
    auth: {
      ...(env.JWT_SECRET ? { hs256Secret: env.JWT_SECRET } : {}),
      ...(env.JWKS_URL ? { jwksUrl: env.JWKS_URL } : {}),
      issuer: env.JWT_ISSUER ?? 'billing-gateway-dev',
      audience: env.JWT_AUDIENCE ?? 'billing-gateway',
      secretFile: env.JWT_SECRET_FILE ?? resolve(dataDir, 'dev-jwt-secret'),
    },
    payments: {
      processor: 'sandbox',
      sandboxLedgerPath: env.SANDBOX_LEDGER_PATH ?? (databasePath === ':memory:' ? ':memory:' : resolve(dataDir, 'sandbox-ledger.db')),
      sandboxLatencyMs: int(env, 'SANDBOX_LATENCY_MS', 0),
      processorTimeoutMs: int(env, 'PROCESSOR_TIMEOUT_MS', 10_000),
      reconcileAfterMs: int(env, 'RECONCILE_AFTER_MS', 60_000),
      reconcileIntervalMs: int(env, 'RECONCILE_INTERVAL_MS', 30_000),
    },
    limits: {
      maxDepth: int(env, 'MAX_DEPTH', 12),
      maxAliases: int(env, 'MAX_ALIASES', 30),
      maxDirectives: int(env, 'MAX_DIRECTIVES', 10),
      maxTokens: int(env, 'MAX_TOKENS', 2_000),
      maxCost: int(env, 'MAX_COST', 20_000),
      maxBodyBytes: int(env, 'MAX_BODY_BYTES', 100_000),
      maxBatch: int(env, 'MAX_BATCH', 0),
      rateLimitPerMinute: int(env, 'RATE_LIMIT_PER_MINUTE', 600),
      anonymousRateLimitPerMinute: int(env, 'ANONYMOUS_RATE_LIMIT_PER_MINUTE', 60),
    },
    graphiql: bool(env, 'GRAPHIQL', dev),
    introspection: bool(env, 'INTROSPECTION', dev),
    trustedDocumentsOnly: bool(env, 'TRUSTED_DOCUMENTS_ONLY', false),
    corsOrigins: (env.CORS_ORIGINS ?? (dev ? 'http://localhost:5173,http://127.0.0.1:5173' : ''))
      .split(',')
      .map((s) => s.trim())
      .filter(Boolean),
    logLevel: env.LOG_LEVEL ?? (dev ? 'info' : 'info'),
    ...(env.BILLING_FAULT_INJECTION && !dev ? {} : env.BILLING_FAULT_INJECTION ? { faultInjection: env.BILLING_FAULT_INJECTION } : {}),
    ...overrides,
  };
  if (config.mode === 'production' && !config.auth.jwksUrl && !config.auth.hs256Secret) {
    throw new Error('production mode needs JWKS_URL (or JWT_SECRET) for user authentication');
  }
  return config;
}
