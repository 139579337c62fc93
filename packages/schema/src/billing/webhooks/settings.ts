import type { LookupFunction } from 'node:net';
import type { Clock } from '../clock.js';
import { developmentWebhookKey } from './secret-box.js';

export interface WebhookSettings {
  /** AES-256-GCM key that endpoint secrets are encrypted under at rest (32 bytes). */
  encryptionKey: Buffer;
  /** Plain http:// endpoints are refused (production mode). */
  requireHttps: boolean;
  /**
   * Loopback, private, link-local, CGNAT, unique-local and other internal addresses may be called
   * (development and tests); refused otherwise, at registration and again at every connection.
   */
  allowPrivateAddresses: boolean;
  /** One attempt (connect, send, first KiB of the answer) gives up after this. */
  timeoutMs: number;
  /** Attempts per delivery before it is FAILED. */
  maxAttempts: number;
  /** Backoff: the n-th retry waits a random time in [0, min(maxDelayMs, baseDelayMs * 2^(n-1))] ("full jitter"). */
  baseDelayMs: number;
  maxDelayMs: number;
  /** How long a claimed delivery stays with its worker before another may take it (> timeoutMs). */
  leaseMs: number;
  /** Deliveries a worker claims at once. */
  batchSize: number;
  /** Resolves endpoint host names (default node:dns lookup); tests inject names. */
  lookup?: LookupFunction;
  /** In [0, 1): the jitter (default Math.random). */
  random?: () => number;
  /**
   * The `webhook-timestamp` clock. Receivers compare it with their own wall clock (Standard Webhooks:
   * 5 minutes' tolerance), so it is real time even when the billing clock is a test's.
   */
  signingClock?: Clock;
}

export const DEFAULT_WEBHOOK_SETTINGS: WebhookSettings = {
  encryptionKey: developmentWebhookKey(),
  requireHttps: false,
  allowPrivateAddresses: true,
  timeoutMs: 10_000,
  maxAttempts: 12,
  baseDelayMs: 60_000,
  maxDelayMs: 12 * 60 * 60 * 1000,
  leaseMs: 60_000,
  batchSize: 20,
};

/** The longest a rotated-out secret may keep signing, and the default. */
export const MAX_SECRET_OVERLAP_MS = 7 * 24 * 60 * 60 * 1000;
export const DEFAULT_SECRET_OVERLAP_MS = 24 * 60 * 60 * 1000;
