import { lookup as dnsLookup, type LookupAddress } from 'node:dns';
import { BlockList, isIP, type LookupFunction } from 'node:net';
import { InvalidOptionError } from '@eddy/core/internal';
import { DestinationRefusedError } from '../errors.js';

// Addresses a webhook must never reach unless allowed: loopback, private (RFC 1918, unique local),
// link-local (cloud metadata at 169.254.169.254), carrier-grade NAT, unspecified, multicast and
// reserved ranges, in both families (IPv4-mapped IPv6 is checked as IPv4).
const INTERNAL = new BlockList();
for (const [network, prefix] of [
  ['0.0.0.0', 8],
  ['10.0.0.0', 8],
  ['100.64.0.0', 10],
  ['127.0.0.0', 8],
  ['169.254.0.0', 16],
  ['172.16.0.0', 12],
  ['192.0.0.0', 24],
  ['192.168.0.0', 16],
  ['198.18.0.0', 15],
  ['224.0.0.0', 4],
  ['240.0.0.0', 4],
] as const) {
  INTERNAL.addSubnet(network, prefix, 'ipv4');
}
for (const [network, prefix] of [
  ['::', 128],
  ['::1', 128],
  ['fc00::', 7],
  ['fe80::', 10],
  ['ff00::', 8],
  ['64:ff9b::', 96],
] as const) {
  INTERNAL.addSubnet(network, prefix, 'ipv6');
}

function normalise(address: string): { address: string; family: 'ipv4' | 'ipv6' } {
  const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(address);
  if (mapped !== null) return { address: mapped[1]!, family: 'ipv4' };
  return { address, family: isIP(address) === 6 ? 'ipv6' : 'ipv4' };
}

/**
 * Decides which destinations a dispatcher may connect to. It checks every address a host resolves
 * to, at connect time (through the HTTP client's `lookup`), so a name that resolves to a public
 * address when checked and to an internal one when connecting (DNS rebinding) is still refused.
 */
export interface DestinationGuard {
  /** Throws `DestinationRefusedError` when `address` (resolved from `host`) is internal and not allowed. */
  checkAddress(host: string, address: string): void;
  /** A `net` lookup that resolves every address and refuses the connection if any is internal. */
  readonly lookup: LookupFunction;
  /** Resolves `url`'s host and checks every address (URLs with an IP literal never reach `lookup`). */
  checkUrl(url: string): Promise<void>;
}

/**
 * `allow`: host names, IP addresses or CIDR ranges (`127.0.0.1`, `10.0.0.0/8`, `::1`,
 * `hooks.internal`) that may be reached although internal. Default none.
 */
export function createDestinationGuard(allow: readonly string[] = []): DestinationGuard {
  const allowedHosts = new Set<string>();
  const allowed = new BlockList();
  for (const entry of allow) {
    const [network, prefix] = entry.split('/') as [string, string | undefined];
    const family = isIP(network);
    if (family === 0) {
      if (prefix !== undefined || network === '') {
        throw new InvalidOptionError(
          `allowDestinations entry "${entry}" is neither a host name, an IP nor a CIDR range.`,
        );
      }
      allowedHosts.add(network.toLowerCase());
      continue;
    }
    const type = family === 6 ? 'ipv6' : 'ipv4';
    if (prefix === undefined) allowed.addAddress(network, type);
    else {
      const bits = Number(prefix);
      if (!Number.isInteger(bits) || bits < 0 || bits > (family === 6 ? 128 : 32)) {
        throw new InvalidOptionError(`allowDestinations entry "${entry}" has an invalid prefix length.`);
      }
      allowed.addSubnet(network, bits, type);
    }
  }
  const hostAllowed = (host: string): boolean => allowedHosts.has(host.toLowerCase().replace(/^\[|\]$/g, ''));

  // BlockList checks build a SocketAddress each time; an address's verdict never changes, so the
  // dispatcher's hot path asks once per address.
  const verdicts = new Map<string, boolean>();
  const isRefused = (address: string): boolean => {
    let refused = verdicts.get(address);
    if (refused === undefined) {
      const { address: plain, family } = normalise(address);
      refused = !allowed.check(plain, family) && INTERNAL.check(plain, family);
      if (verdicts.size >= 10_000) verdicts.clear();
      verdicts.set(address, refused);
    }
    return refused;
  };
  const checkAddress = (host: string, address: string): void => {
    if (hostAllowed(host)) return;
    if (isRefused(address)) throw new DestinationRefusedError(host, address);
  };

  const lookup: LookupFunction = (hostname, options, callback) => {
    dnsLookup(hostname, { ...options, all: true }, (error, addresses: LookupAddress[]) => {
      if (error !== null) {
        callback(error, '', 0);
        return;
      }
      try {
        for (const entry of addresses) checkAddress(hostname, entry.address);
      } catch (refused) {
        callback(refused as NodeJS.ErrnoException, '', 0);
        return;
      }
      if (options.all === true) {
        (callback as unknown as (error: null, addresses: LookupAddress[]) => void)(null, addresses);
      } else {
        const first = addresses[0]!;
        callback(null, first.address, first.family);
      }
    });
  };

  return {
    checkAddress,
    lookup,
    async checkUrl(url) {
      const host = new URL(url).hostname.replace(/^\[|\]$/g, '');
      if (hostAllowed(host)) return;
      if (isIP(host) !== 0) {
        checkAddress(host, host);
        return;
      }
      const addresses = await new Promise<LookupAddress[]>((resolve, reject) =>
        dnsLookup(host, { all: true }, (error, found) => (error === null ? resolve(found) : reject(error))),
      );
      for (const entry of addresses) checkAddress(host, entry.address);
    },
  };
}
