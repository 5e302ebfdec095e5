// The rules and events the rules benchmarks share: a realistic mix of patterns (exact, prefix,
// suffix, equals-ignore-case, numeric, anything-but, exists, cidr, wildcard, nested fields, arrays
// of objects, $or) and CloudEvents from the same domains, drawn from seeded generators so that
// every run measures the same work.
import type { CloudEvent } from '@eddy/core';
import type { EventPattern } from '@eddy/rules';

/** mulberry32: a small seeded generator, so every run measures the same rules and events. */
export function random(seed: number): () => number {
  let state = seed;
  return () => {
    state = (state + 0x6d2b79f5) | 0;
    let t = Math.imul(state ^ (state >>> 15), 1 | state);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const domains = ['orders', 'billing', 'shipping', 'inventory', 'customers', 'payments', 'returns', 'catalog'];
const teams = ['acme', 'globex', 'initech', 'umbrella', 'hooli'];
const verbs = ['created', 'updated', 'cancelled', 'failed', 'completed', 'approved', 'rejected', 'shipped'];
const countries = ['DE', 'FR', 'US', 'GB', 'JP', 'BR', 'IN', 'KR', 'ES', 'IT'];
const currencies = ['EUR', 'USD', 'GBP', 'JPY', 'BRL', 'INR', 'KRW'];
const tiers = ['bronze', 'silver', 'gold', 'platinum'];
const statuses = ['pending', 'active', 'cancelled', 'failed', 'done', 'held'];
const channels = ['web', 'mobile', 'store', 'partner', 'phone'];

function pick<T>(next: () => number, items: readonly T[]): T {
  return items[Math.floor(next() * items.length)]!;
}

const sources = teams.flatMap((team) => domains.map((domain) => `com.${team}.${domain}`));
const types = domains.flatMap((domain) => verbs.map((verb) => `${domain.replace(/s$/, '')}.${verb}`));

/** One rule of a realistic mix: most name a source or type exactly, then test the data. */
export function makeRule(next: () => number): EventPattern {
  const source = pick(next, sources);
  const type = pick(next, types);
  const amount = Math.round(next() * 1000);
  switch (Math.floor(next() * 12)) {
    case 0:
      return { source: [source], type: [type] };
    case 1:
      return { type: [type], data: { amount: [{ numeric: ['>', amount] }] } };
    case 2:
      return {
        source: [{ prefix: source.slice(0, source.lastIndexOf('.') + 1) }],
        type: [{ prefix: type.slice(0, type.indexOf('.') + 1) }],
        data: { country: [pick(next, countries), pick(next, countries)] },
      };
    case 3:
      return { type: [type], data: { status: [{ 'anything-but': ['cancelled', pick(next, statuses)] }] } };
    case 4:
      return { type: [type], subject: [{ exists: false }], data: { customer: { tier: [{ exists: true }] } } };
    case 5:
      return { source: [source], data: { ip: [{ cidr: `10.${Math.floor(next() * 16)}.0.0/16` }] } };
    case 6:
      return {
        type: [type],
        data: { customer: { tier: [pick(next, tiers)], country: [pick(next, countries)] } },
      };
    case 7:
      return {
        source: [source],
        $or: [{ type: [type] }, { data: { amount: [{ numeric: ['>=', amount, '<', amount + 200] }] } }],
      };
    case 8:
      return {
        type: [type],
        data: {
          items: { sku: [{ prefix: `SKU-${Math.floor(next() * 20)}` }], qty: [{ numeric: ['>', 2] }] },
        },
      };
    case 9:
      return {
        type: [{ suffix: `.${pick(next, verbs)}` }],
        source: [{ prefix: `com.${pick(next, teams)}.` }],
        data: { currency: [{ 'equals-ignore-case': pick(next, currencies).toLowerCase() }] },
      };
    case 10:
      return {
        type: [type],
        data: {
          channel: [{ 'anything-but': { prefix: pick(next, channels).slice(0, 3) } }],
          amount: [{ numeric: ['<=', amount] }],
        },
      };
    default:
      return { type: [type], subject: [{ wildcard: `${pick(next, domains)}/*/lines/*` }] };
  }
}

/** A CloudEvent from the same domain, as the decoders deliver it. */
export function makeCloudEvent(next: () => number, index: number): CloudEvent {
  const domain = pick(next, domains);
  return {
    specversion: '1.0',
    id: `evt-${index}`,
    source: `com.${pick(next, teams)}.${domain}`,
    type: `${domain.replace(/s$/, '')}.${pick(next, verbs)}`,
    time: '2026-12-01T10:00:00.000Z',
    datacontenttype: 'application/json',
    ...(next() < 0.5 ? { subject: `${domain}/${index}/lines/${index % 7}` } : {}),
    correlationid: `corr-${index % 97}`,
    data: {
      amount: Math.round(next() * 100_000) / 100,
      currency: pick(next, currencies),
      country: pick(next, countries),
      status: pick(next, statuses),
      channel: pick(next, channels),
      ip: `10.${Math.floor(next() * 20)}.${Math.floor(next() * 256)}.${Math.floor(next() * 256)}`,
      customer: {
        id: `c-${Math.floor(next() * 10_000)}`,
        tier: pick(next, tiers),
        country: pick(next, countries),
      },
      items: Array.from({ length: 1 + Math.floor(next() * 3) }, () => ({
        sku: `SKU-${Math.floor(next() * 40)}-${Math.floor(next() * 100)}`,
        qty: 1 + Math.floor(next() * 5),
      })),
      note: 'x'.repeat(64),
    },
  };
}
