// Global IDs: opaque base64 of `Type:id`, as the Relay plugin encodes them. One strict reading for
// every entry point: anything but `<node type>:<positive integer>` names nothing, so a malformed ID
// reads exactly like one that does not exist (never an error, never a lookup).
// `node`/`nodes` take Pothos' `globalID` arguments, decoded by `decodeNodeId` (the builder's
// `relay.decodeGlobalID`). The typed lookups and mutation inputs stay plain `ID`s read with
// `fromGlobalId`: `t.arg.globalID({ for: Invoice })` refuses an ID of another type with a top-level
// "ID: ... is not of type: Invoice" error, raised before the resolver and the errors plugin, which
// would tell a wrong-type ID from a missing one. test/id-oracle.test.ts in the server holds that line.
import { decodeGlobalID, encodeGlobalID } from '@pothos/plugin-relay';

export const NODE_TYPE_NAMES = [
  'User',
  'BillingAccount',
  'BillingProfile',
  'Invoice',
  'PaymentMethod',
  'Payment',
  'ApiKey',
  'WebhookEndpoint',
  'WebhookDelivery',
] as const;

/** `nodes(ids:)` answers at most this many IDs per call (as GitHub's API does); more is refused. */
export const MAX_NODES_PER_CALL = 100;

export type NodeTypeName = (typeof NODE_TYPE_NAMES)[number];

export function toGlobalId(typename: NodeTypeName, id: number): string {
  return encodeGlobalID(typename, id);
}

/** What a global ID that names nothing decodes to: no node type has this name. */
const NOTHING = { typename: '', id: '' };

/**
 * The relay plugin's decoder (builder option `relay.decodeGlobalID`, so `node`/`nodes` get it too):
 * a node type and a canonical positive integer, else NOTHING. Never throws.
 */
export function decodeNodeId(globalId: string): { typename: string; id: string } {
  if (typeof globalId !== 'string' || globalId.length === 0 || globalId.length > 200) return NOTHING;
  try {
    const decoded = decodeGlobalID(globalId);
    if (!isNodeTypeName(decoded.typename)) return NOTHING;
    if (!/^[1-9]\d{0,15}$/.test(decoded.id) || !Number.isSafeInteger(Number(decoded.id))) return NOTHING;
    return decoded;
  } catch {
    return NOTHING;
  }
}

export function isNodeTypeName(typename: string): typename is NodeTypeName {
  return (NODE_TYPE_NAMES as readonly string[]).includes(typename);
}

/** The numeric id inside a global ID of the expected type, or null for anything else (never throws). */
export function fromGlobalId(globalId: string, typename: NodeTypeName): number | null {
  const decoded = decodeNodeId(globalId);
  return decoded.typename === typename ? Number(decoded.id) : null;
}

/**
 * The numeric id inside a decoded global ID (relay's `id.parse`). Anything else becomes 0, which no
 * row has, so a malformed ID reads exactly like a missing one.
 */
export function parseNodeId(id: string): number {
  return /^[1-9]\d{0,15}$/.test(id) && Number.isSafeInteger(Number(id)) ? Number(id) : 0;
}
