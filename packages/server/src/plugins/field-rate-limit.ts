// Card-testing protection: a few calls per minute per principal on the fields that reach the payment
// processor with a card (adding one, paying with one), on top of the per-operation rate limit, which
// is far higher. Built on @envelop/rate-limiter's `configByField`; a refusal is the same 429
// RATE_LIMITED with Retry-After as the operation limit's, so clients handle both alike.
//
// With `shared` (REDIS_URL) the call history lives in Redis, so the limit is fleet-wide. The
// library's RedisStore reads and then writes (not atomic): concurrent calls on several instances
// in the same instant can each pass on the same history, so the fleet-wide ceiling is approximate
// by at most the number of instances. That is acceptable for abuse protection; it is not what keeps
// money moving once (the database is). When Redis cannot answer, the limit fails open.
import { getOperationAST, type GraphQLError, type GraphQLSchema } from 'graphql';
import type { Plugin } from 'graphql-yoga';
import type { Redis } from 'ioredis';
import { InMemoryStore, RedisStore, Store, useRateLimiter, type Identity } from '@envelop/rate-limiter';
import type { Registry } from 'prom-client';
import { principalId } from '@billing/schema/billing';
import type { GraphQLContext } from '@billing/schema/graphql';
import { gatewayError } from '../gateway-error.js';
import type { Logger } from '../logger.js';
import { createFailOpen, type FailOpen } from './fail-open.js';

/** Every limit here counts calls in one sliding minute. */
const WINDOW_SECONDS = 60;

export interface FieldRateLimitOptions {
  /**
   * Calls per minute per principal, keyed `Type.field`. A field with 0, or not listed, is unlimited.
   *
   * @example
   * fields: { 'Mutation.payInvoice': 10, 'Mutation.addPaymentMethod': 5 }
   */
  fields: Record<string, number>;
  /**
   * Who a call counts against. Calls it returns `null` for are not limited here (the operation
   * limit still applies).
   * @default the signed-in user or API key of the billing context; anonymous calls are not limited
   */
  identify?: (context: unknown) => string | null;
  /** History shared by every instance, in Redis under `keyPrefix`. @default in this process */
  shared?: { redis: Redis; keyPrefix: string; logger: Logger };
  /** Where `gateway_rate_limit_fail_open_total{limiter="field-rate-limit"}` is registered. @default nowhere */
  registry?: Registry;
}

function billingPrincipal(context: unknown): string | null {
  const principal = (context as Partial<GraphQLContext>).access?.principal;
  return principal ? principalId(principal) : null;
}

/** Who anonymous calls count against: no one (scope-auth refuses them before any card is used). */
const ANONYMOUS = '\0anonymous';

/**
 * The history store, as the limiter sees it: empty and write-only for anonymous calls, and empty,
 * forgetting writes, while a shared store fails (`failOpen`).
 */
class GuardedStore extends Store {
  constructor(
    private readonly inner: Store,
    private readonly failOpen?: FailOpen,
  ) {
    super();
  }

  async getForIdentity(identity: Identity): Promise<readonly number[]> {
    if (identity.contextIdentity.endsWith(ANONYMOUS)) return [];
    if (!this.failOpen) return this.inner.getForIdentity(identity);
    try {
      return await this.inner.getForIdentity(identity);
    } catch (error) {
      this.failOpen(error);
      return [];
    }
  }

  async setForIdentity(identity: Identity, timestamps: readonly number[], windowMs?: number): Promise<void> {
    if (identity.contextIdentity.endsWith(ANONYMOUS)) return;
    if (!this.failOpen) return this.inner.setForIdentity(identity, timestamps, windowMs);
    try {
      await this.inner.setForIdentity(identity, timestamps, windowMs);
    } catch (error) {
      this.failOpen(error);
    }
  }
}

function rateLimited(field: string, max: number): GraphQLError {
  return gatewayError(
    'RATE_LIMITED',
    `Too many ${field} calls: at most ${max} a minute. Retry in ${WINDOW_SECONDS} s.`,
    {
      extensions: { retryAfterSeconds: WINDOW_SECONDS },
      http: { status: 429, headers: { 'Retry-After': String(WINDOW_SECONDS) } },
    },
  );
}

/** Refuses a principal's calls to the listed fields past their per-minute count, with 429 RATE_LIMITED. */
export function useFieldRateLimit(options: FieldRateLimitOptions): Plugin {
  const identify = options.identify ?? billingPrincipal;
  const { shared } = options;
  const store = shared
    ? new GuardedStore(
        new RedisStore(shared.redis),
        createFailOpen({
          limiter: 'field-rate-limit',
          logger: shared.logger,
          ...(options.registry ? { registry: options.registry } : {}),
        }),
      )
    : new GuardedStore(new InMemoryStore());
  const limited = Object.entries(options.fields).filter(([, max]) => max > 0);
  if (limited.length === 0) return {};
  // Typed with the context it adds itself (`rateLimiterFn`, in onContextBuilding), which Yoga's
  // initial context lacks; the cast states that it needs nothing from the caller.
  const plugin = useRateLimiter({
    // The Redis keys are the library's, so this instance's prefix goes into the identity.
    identifyFn: (context) => `${shared?.keyPrefix ?? ''}${identify(context) ?? ANONYMOUS}`,
    store,
    // Counts every selection of the field in one operation (aliases), not just the first.
    enableBatchRequestCache: true,
    configByField: limited.map(([coordinate, max]) => {
      const [type = '', field = ''] = coordinate.split('.');
      return { type, field, max, window: `${WINDOW_SECONDS}s`, uncountRejected: true };
    }),
    // The library hands over only the message; it names the field, and the field names its limit.
    formatError: ({ fieldName }) => fieldName,
    transformError: (fieldName) =>
      rateLimited(fieldName, limited.find(([coordinate]) => coordinate.endsWith(`.${fieldName}`))?.[1] ?? 0),
  });
  // The library walks every executed document with TypeInfo. When every limited field is a root
  // field (payInvoice and addPaymentMethod are Mutation fields), an operation of another root type
  // cannot select one, so it skips that walk: reads pay nothing for this plugin.
  const limitedTypes = new Set(limited.map(([coordinate]) => coordinate.split('.')[0]));
  const onlyRootFields = new WeakMap<GraphQLSchema, boolean>();
  const { onExecute } = plugin;
  return {
    ...plugin,
    onExecute(payload: Parameters<NonNullable<typeof onExecute>>[0]) {
      const { schema, document, operationName } = payload.args;
      let rootOnly = onlyRootFields.get(schema);
      if (rootOnly === undefined) {
        const roots = [schema.getQueryType(), schema.getMutationType(), schema.getSubscriptionType()].map(
          (t) => t?.name,
        );
        rootOnly = [...limitedTypes].every((type) => roots.includes(type));
        onlyRootFields.set(schema, rootOnly);
      }
      const operation = getOperationAST(document, operationName)?.operation;
      if (rootOnly && operation && !limitedTypes.has(schema.getRootType(operation)?.name)) return;
      return onExecute?.(payload);
    },
  } as unknown as Plugin;
}
