// In-process event bus for live updates. Subscribers filter by what they may read; the bus
// itself knows nothing about authorization or GraphQL.
//
// Public events are rows of the event log (event-log.ts), published after the transaction that
// recorded them commits: what a subscriber receives live is what a reconnecting one reads back.
import type { BillingEventType } from '../db/model.js';
import type { LoggedBillingEvent } from './event-log.js';

/** What subscribers and webhook endpoints see: a logged event, with its id, sequence and timestamp. */
export type PublicBillingEvent = LoggedBillingEvent;

/** The event types the `billingEvents` stream carries (invoice and payment changes). */
export const STREAMED_EVENT_TYPES = [
  'INVOICE_UPDATED',
  'PAYMENT_UPDATED',
] as const satisfies readonly BillingEventType[];
export type StreamedEventType = (typeof STREAMED_EVENT_TYPES)[number];

/**
 * A committed change to an account's data that no public event describes (a billing profile's
 * payment settings: autopay, default payment type). Every write that can change an answer publishes
 * something, which is what the response cache is invalidated by. Not logged, not sent to subscribers.
 */
export interface AccountDataChanged {
  type: 'ACCOUNT_DATA_CHANGED';
  billingAccountId: number;
  billingProfileId: number | null;
  change: 'PROFILE_SETTINGS';
}

export type BillingEvent = PublicBillingEvent | AccountDataChanged;

/** After the commit: a profile's payment settings changed (for the response cache). */
export function publishProfileSettingsChanged(
  services: { events: BillingEventBus },
  profile: { id: number; billingAccountId: number },
): void {
  services.events.publish({
    type: 'ACCOUNT_DATA_CHANGED',
    billingAccountId: profile.billingAccountId,
    billingProfileId: profile.id,
    change: 'PROFILE_SETTINGS',
  });
}

export function isPublicEvent(event: BillingEvent): event is PublicBillingEvent {
  return event.type !== 'ACCOUNT_DATA_CHANGED';
}

export interface BillingEventBus {
  publish(event: BillingEvent): void;
  /** Events published after the call, until `signal` aborts or the iterator is returned. */
  subscribe(signal?: AbortSignal): AsyncIterableIterator<BillingEvent>;
  readonly subscriberCount: number;
}

export function createEventBus(options: { maxQueuedPerSubscriber?: number } = {}): BillingEventBus {
  const maxQueued = options.maxQueuedPerSubscriber ?? 1_000;
  const subscribers = new Set<(event: BillingEvent) => void>();
  return {
    publish(event) {
      for (const deliver of subscribers) deliver(event);
    },
    get subscriberCount() {
      return subscribers.size;
    },
    subscribe(signal) {
      const queue: BillingEvent[] = [];
      let wake: (() => void) | null = null;
      let done = false;
      const deliver = (event: BillingEvent) => {
        // A subscriber that stops reading must not grow memory without bound: drop its oldest.
        if (queue.length >= maxQueued) queue.shift();
        queue.push(event);
        wake?.();
      };
      const finish = () => {
        done = true;
        subscribers.delete(deliver);
        wake?.();
      };
      subscribers.add(deliver);
      signal?.addEventListener('abort', finish, { once: true });
      const iterator: AsyncIterableIterator<BillingEvent> = {
        async next() {
          while (!done && queue.length === 0) await new Promise<void>((resolve) => (wake = resolve));
          wake = null;
          if (queue.length > 0) return { value: queue.shift()!, done: false };
          return { value: undefined, done: true };
        },
        async return() {
          finish();
          return { value: undefined, done: true };
        },
        [Symbol.asyncIterator]() {
          return iterator;
        },
      };
      return iterator;
    },
  };
}

/**
 * The bus, calling `onPublish` with each event as it is published, before anyone receives it (the
 * response cache's invalidation must not wait for a subscriber's turn).
 */
export function tapEvents(bus: BillingEventBus, onPublish: (event: BillingEvent) => void): BillingEventBus {
  return {
    publish(event) {
      onPublish(event);
      bus.publish(event);
    },
    subscribe: (signal) => bus.subscribe(signal),
    get subscriberCount() {
      return bus.subscriberCount;
    },
  };
}
