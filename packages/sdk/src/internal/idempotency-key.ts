/** A fresh key per payment intent. `crypto.randomUUID` exists in browsers and in Node 20. */
export function newIdempotencyKey(): string {
  return globalThis.crypto.randomUUID();
}
