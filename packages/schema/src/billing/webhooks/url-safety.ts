// Where webhooks may be sent (SSRF). In production an endpoint must be https and every address its
// host resolves to must be public: no loopback, private (RFC 1918), CGNAT, link-local (cloud metadata
// at 169.254.169.254), unique-local, multicast, unspecified or reserved ranges. The URL is checked at
// registration, and each connection checks the address it is about to use inside the socket's own
// `lookup`, so a name that resolves to a public address at registration and to an internal one later
// (DNS rebinding) is still refused: the address checked is the address connected to.
import { lookup as dnsLookup } from 'node:dns';
import { BlockList, isIP, type LookupFunction } from 'node:net';
import { WebhookUrlNotAllowedError } from '../errors.js';
import type { WebhookSettings } from './settings.js';

const MAX_URL_LENGTH = 2048;

const INTERNAL = new BlockList();
for (const [network, prefix] of [
  ['0.0.0.0', 8], // "this network", 0.0.0.0
  ['10.0.0.0', 8],
  ['100.64.0.0', 10], // CGNAT
  ['127.0.0.0', 8],
  ['169.254.0.0', 16], // link-local, cloud metadata
  ['172.16.0.0', 12],
  ['192.0.0.0', 24],
  ['192.0.2.0', 24],
  ['192.168.0.0', 16],
  ['198.18.0.0', 15],
  ['198.51.100.0', 24],
  ['203.0.113.0', 24],
  ['224.0.0.0', 4], // multicast
  ['240.0.0.0', 4], // reserved, broadcast
] as const)
  INTERNAL.addSubnet(network, prefix, 'ipv4');
for (const [network, prefix] of [
  ['::', 128],
  ['::1', 128],
  ['64:ff9b::', 96], // NAT64 can reach IPv4 internals
  ['100::', 64],
  ['2001:db8::', 32],
  ['fc00::', 7], // unique-local
  ['fe80::', 10], // link-local
  ['ff00::', 8], // multicast
] as const)
  INTERNAL.addSubnet(network, prefix, 'ipv6');

/** Whether outbound requests may reach `address` when private addresses are not allowed. */
export function isPublicAddress(address: string): boolean {
  const family = isIP(address);
  if (family === 0) return false;
  if (family === 6) {
    // IPv4-mapped (::ffff:a.b.c.d, or its hex form) is the IPv4 address.
    const mapped = /^::ffff:(?:(\d+\.\d+\.\d+\.\d+)|([0-9a-f]{1,4}):([0-9a-f]{1,4}))$/i.exec(address);
    if (mapped) {
      const v4 =
        mapped[1] ??
        [Number.parseInt(mapped[2]!, 16), Number.parseInt(mapped[3]!, 16)]
          .flatMap((word) => [word >> 8, word & 255])
          .join('.');
      return !INTERNAL.check(v4, 'ipv4');
    }
    return !INTERNAL.check(address, 'ipv6');
  }
  return !INTERNAL.check(address, 'ipv4');
}

/** The URL's host as an IP literal without brackets, or null for a DNS name. */
function ipLiteral(url: URL): string | null {
  const host = url.hostname.startsWith('[') ? url.hostname.slice(1, -1) : url.hostname;
  return isIP(host) ? host : null;
}

/** The URL, parsed, if its form is acceptable (scheme, no credentials, length); else the refusal. */
export function parseWebhookUrl(settings: WebhookSettings, raw: string): URL {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw new WebhookUrlNotAllowedError('INVALID_URL');
  }
  if (raw.length > MAX_URL_LENGTH || (url.protocol !== 'https:' && url.protocol !== 'http:'))
    throw new WebhookUrlNotAllowedError('INVALID_URL');
  if (url.username || url.password || url.hash) throw new WebhookUrlNotAllowedError('INVALID_URL');
  if (settings.requireHttps && url.protocol !== 'https:') throw new WebhookUrlNotAllowedError('NOT_HTTPS');
  return url;
}

function lookupAll(settings: WebhookSettings, host: string): Promise<{ address: string; family: number }[]> {
  const lookup = settings.lookup ?? dnsLookup;
  return new Promise((resolve, reject) => {
    lookup(host, { all: true }, (error, addresses) => {
      if (error) reject(error);
      else resolve(Array.isArray(addresses) ? addresses : [{ address: String(addresses), family: 4 }]);
    });
  });
}

/**
 * Registration's check: the form, then (unless private addresses are allowed) every address the host
 * resolves to now. Returns the URL as it will be stored.
 */
export async function checkWebhookUrl(settings: WebhookSettings, raw: string): Promise<string> {
  const url = parseWebhookUrl(settings, raw);
  if (settings.allowPrivateAddresses) return url.toString();
  const literal = ipLiteral(url);
  if (literal !== null) {
    if (!isPublicAddress(literal)) throw new WebhookUrlNotAllowedError('ADDRESS_NOT_ALLOWED');
    return url.toString();
  }
  let addresses: { address: string }[];
  try {
    addresses = await lookupAll(settings, url.hostname);
  } catch {
    throw new WebhookUrlNotAllowedError('UNRESOLVABLE');
  }
  if (addresses.length === 0) throw new WebhookUrlNotAllowedError('UNRESOLVABLE');
  if (addresses.some((a) => !isPublicAddress(a.address))) throw new WebhookUrlNotAllowedError('ADDRESS_NOT_ALLOWED');
  return url.toString();
}

/** Raised inside a connection's lookup when the address it would use is not allowed. */
export class AddressNotAllowedError extends Error {
  readonly code = 'ADDRESS_NOT_ALLOWED';
  constructor(readonly address: string) {
    super(`webhook address ${address} is not allowed`);
    this.name = 'AddressNotAllowedError';
  }
}

/**
 * What a delivery connects with: the URL's IP literal checked here (Node connects to literals without
 * a lookup), and for names a socket `lookup` that resolves and refuses any internal address before
 * the socket connects to it.
 */
export function deliveryConnection(
  settings: WebhookSettings,
  url: URL,
): { refused: AddressNotAllowedError | null; lookup: LookupFunction | undefined } {
  const literal = ipLiteral(url);
  if (settings.allowPrivateAddresses) return { refused: null, lookup: literal === null ? settings.lookup : undefined };
  if (literal !== null)
    return { refused: isPublicAddress(literal) ? null : new AddressNotAllowedError(literal), lookup: undefined };
  const base = settings.lookup ?? dnsLookup;
  const lookup: LookupFunction = (hostname, options, callback) => {
    base(hostname, { ...options, all: true }, (error, addresses) => {
      if (error) return callback(error, '', 0);
      const list = (Array.isArray(addresses) ? addresses : [{ address: String(addresses), family: 4 }]) as {
        address: string;
        family: number;
      }[];
      const refused = list.find((a) => !isPublicAddress(a.address));
      if (refused || list.length === 0)
        return callback(new AddressNotAllowedError(refused?.address ?? hostname), '', 0);
      if (options.all) return (callback as unknown as (e: null, a: typeof list) => void)(null, list);
      callback(null, list[0]!.address, list[0]!.family);
    });
  };
  return { refused: null, lookup };
}
