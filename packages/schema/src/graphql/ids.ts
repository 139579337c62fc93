// Global IDs: opaque base64 of `Type:id`, as the Relay plugin encodes them.
import { decodeGlobalID, encodeGlobalID } from '@pothos/plugin-relay';

export type NodeTypeName =
  | 'User'
  | 'BillingAccount'
  | 'BillingProfile'
  | 'Invoice'
  | 'PaymentMethod'
  | 'Payment'
  | 'ApiKey';

export function toGlobalId(typename: NodeTypeName, id: number): string {
  return encodeGlobalID(typename, id);
}

/** The numeric id inside a global ID of the expected type, or null for anything else (never throws). */
export function fromGlobalId(globalId: string, typename: NodeTypeName): number | null {
  if (typeof globalId !== 'string' || globalId.length === 0 || globalId.length > 200) return null;
  try {
    const decoded = decodeGlobalID(globalId);
    if (decoded.typename !== typename || !/^[1-9]\d{0,15}$/.test(decoded.id)) return null;
    const id = Number(decoded.id);
    return Number.isSafeInteger(id) ? id : null;
  } catch {
    return null;
  }
}

/**
 * The numeric id inside a decoded global ID (relay's `id.parse`). Anything else becomes 0, which no
 * row has, so a malformed ID reads exactly like a missing one.
 */
export function parseNodeId(id: string): number {
  return /^[1-9]\d{0,15}$/.test(id) && Number.isSafeInteger(Number(id)) ? Number(id) : 0;
}
