// Subscriptions hold a connection for as long as the client likes, so they are the cheapest way to
// exhaust a server. Before a stream opens: no credentials is 401; past the caller's share of streams
// (per user or API key) is 429, past the instance's total 503, both with Retry-After. While it runs: a
// stream ends, with one UNAUTHENTICATED event, when the bearer token it was opened with expires.
import type { ExecutionResult } from 'graphql';
import { isAsyncIterable, type Plugin } from 'graphql-yoga';
import { principalId, type ErrorCode } from '@billing/schema/billing';
import type { GraphQLContext } from '@billing/schema/graphql';
import { gatewayError } from '../gateway-error.js';
import { requestInfo, type NodeServerContext } from '../request-info.js';

export interface SubscriptionGuardOptions {
  /** Open streams per user or API key. */
  maxStreamsPerPrincipal: number;
  /** Open streams on this instance. */
  maxStreams: number;
}

function refusal(message: string, code: ErrorCode, status: number, headers: Record<string, string> = {}) {
  return { errors: [gatewayError(code, message, { http: { status, headers } })] };
}

/** The source's events until `expiresAt` (epoch ms), then one UNAUTHENTICATED event, then the end. */
function untilExpiry(
  source: AsyncIterable<ExecutionResult>,
  expiresAt: number,
): AsyncIterableIterator<ExecutionResult> {
  const iterator = source[Symbol.asyncIterator]();
  let timer: NodeJS.Timeout | undefined;
  const expired = new Promise<'expired'>((resolve) => {
    timer = setTimeout(() => resolve('expired'), Math.max(0, expiresAt - Date.now()));
  });
  let finished = false;
  const finish = async (): Promise<IteratorResult<ExecutionResult>> => {
    finished = true;
    clearTimeout(timer);
    await iterator.return?.();
    return { done: true, value: undefined };
  };
  const stream: AsyncIterableIterator<ExecutionResult> = {
    async next() {
      if (finished) return { done: true, value: undefined };
      const next = await Promise.race([iterator.next(), expired]);
      if (next !== 'expired') {
        if (next.done) clearTimeout(timer);
        return next;
      }
      await finish();
      const error = gatewayError('UNAUTHENTICATED', 'The bearer token expired: get a new one and subscribe again.');
      return { done: false, value: { errors: [error] } };
    },
    return: finish,
    [Symbol.asyncIterator]() {
      return stream;
    },
  };
  return stream;
}

export function useSubscriptionGuard(options: SubscriptionGuardOptions): Plugin<object, NodeServerContext> {
  const perPrincipal = new Map<string, number>();
  let total = 0;
  return {
    onSubscribe({ args, setResultAndStopExecution }) {
      // The gateway's context factory (context.ts) builds every operation's GraphQLContext.
      const { access, request } = args.contextValue as typeof args.contextValue & GraphQLContext;
      if (!access.principal) {
        setResultAndStopExecution(
          refusal('Sign in (bearer token) or send an API key to subscribe.', 'UNAUTHENTICATED', 401, {
            'WWW-Authenticate': 'Bearer',
          }),
        );
        return;
      }
      const key = principalId(access.principal);
      const mine = perPrincipal.get(key) ?? 0;
      if (total >= options.maxStreams) {
        setResultAndStopExecution(
          refusal('This instance has no room for another stream; retry shortly.', 'TOO_MANY_STREAMS', 503, {
            'Retry-After': '5',
          }),
        );
        return;
      }
      if (mine >= options.maxStreamsPerPrincipal) {
        setResultAndStopExecution(
          refusal(
            `At most ${options.maxStreamsPerPrincipal} open streams per user or API key: close one first.`,
            'TOO_MANY_STREAMS',
            429,
            { 'Retry-After': '5' },
          ),
        );
        return;
      }
      perPrincipal.set(key, mine + 1);
      total += 1;
      let released = false;
      const release = () => {
        if (released) return;
        released = true;
        total -= 1;
        const left = (perPrincipal.get(key) ?? 1) - 1;
        if (left > 0) perPrincipal.set(key, left);
        else perPrincipal.delete(key);
      };
      const expiresAt = requestInfo(request).credentialsExpireAt;
      return {
        onSubscribeResult({ result, setResult }) {
          // An error before the stream started (a refused argument, say): nothing stays open.
          if (!isAsyncIterable(result)) {
            release();
            return;
          }
          if (expiresAt !== null) setResult(untilExpiry(result, expiresAt));
          return { onEnd: release };
        },
        onSubscribeError: release,
      };
    },
  };
}
