// Billing events shared by every gateway instance through Redis, with Yoga's pub/sub and its Redis
// event target: a payment settled on instance A reaches SSE subscribers on B and C. Authorization
// stays per event, in the subscription resolver, on the instance that serves the subscriber.
//
// Each instance consumes the Redis topic once and fans events out through the in-process bus, so a
// slow SSE client keeps today's bounded queue (oldest dropped) and Redis sees one subscription per
// instance, not one per client. While Redis is unreachable an event is delivered on this instance
// only (it cannot reach the others) and counted; subscriptions carry on and receive events again
// once the subscriber connection is back.
import { createRedisEventTarget } from '@graphql-yoga/redis-event-target';
import { createPubSub } from 'graphql-yoga';
import type { Redis } from 'ioredis';
import { createEventBus, type BillingEvent, type BillingEventBus } from '@billing/schema/billing';
import type { Logger } from './logger.js';
import type { SharedRedis } from './redis.js';

export interface SharedEventBus extends BillingEventBus {
  /** Only the events this instance published (what its own counters may count once fleet-wide). */
  readonly local: BillingEventBus;
  /** Events this instance could not send to the others, since start. */
  readonly undelivered: number;
  close(): void;
}

/** `client` whose `method` rejections go to `onError` instead of going unhandled (the event target does not await them). */
function catchingRejections(
  client: Redis,
  method: 'publish' | 'unsubscribe',
  onError: (error: unknown) => void,
): Redis {
  return new Proxy(client, {
    get(target, property, receiver) {
      if (property !== method) return Reflect.get(target, property, receiver);
      const call = target[method] as (...args: unknown[]) => Promise<unknown>;
      return (...args: unknown[]) => call.apply(target, args).catch(onError);
    },
  });
}

export function createSharedEventBus(redis: SharedRedis, logger: Logger): SharedEventBus {
  const log = logger.child({ component: 'events' });
  const topic = `${redis.keyPrefix}billing-events`;
  let undelivered = 0;
  const missed = (error: unknown) => {
    undelivered += 1;
    log.warn({ err: { message: error instanceof Error ? error.message : String(error) } }, 'billing event not shared');
  };
  const pubSub = createPubSub<Record<string, [BillingEvent]>>({
    eventTarget: createRedisEventTarget({
      publishClient: catchingRejections(redis.publisher, 'publish', missed),
      // The one unsubscribe comes at shutdown, and may reach a connection already closed, and the subscription with it.
      subscribeClient: catchingRejections(redis.subscriber, 'unsubscribe', () => {}),
    }),
  });
  const fanOut = createEventBus();
  const local = createEventBus();

  const incoming = pubSub.subscribe(topic);
  void (async () => {
    for await (const event of incoming) fanOut.publish(event);
  })();

  return {
    local,
    get undelivered() {
      return undelivered;
    },
    get subscriberCount() {
      return fanOut.subscriberCount;
    },
    publish(event) {
      local.publish(event);
      if (redis.publisher.status === 'ready') {
        pubSub.publish(topic, event);
        return;
      }
      fanOut.publish(event);
      missed(new Error('redis unreachable'));
    },
    subscribe: (signal) => fanOut.subscribe(signal),
    close() {
      void incoming.return();
    },
  };
}
