import { compilePattern, type EventPattern } from '@eddy/rules';
import type { EndpointSecret, EndpointUpdate, NewEndpoint } from './endpoint.js';
import { InvalidEndpointError } from './errors.js';
import { assertSecret, generateSecret } from './signing/secret.js';

/** What an application gives to create an endpoint; everything but `url` has a default. */
export interface EndpointInput {
  /** Default a random `ep_...` id. */
  readonly id?: string;
  readonly url: string;
  readonly description?: string;
  /** Current signing secret. Default a new random `whsec_` secret. */
  readonly secret?: string;
  /** Event type globs (`*` matches any run of characters). Default: every type. */
  readonly eventTypes?: readonly string[];
  /** EventBridge-style content pattern the event must match too. Default none. */
  readonly pattern?: EventPattern;
  /** Most deliveries started per second. Default unlimited. */
  readonly rateLimitPerSecond?: number;
  /** One delivery at a time, in enqueue order. Default false. */
  readonly ordered?: boolean;
  /** Default true. */
  readonly enabled?: boolean;
}

const MAX_ID_LENGTH = 200;

function assertUrl(url: unknown): string {
  let parsed: URL;
  try {
    parsed = new URL(String(url));
  } catch {
    throw new InvalidEndpointError(
      `url ${JSON.stringify(url)} is not an absolute URL. Use https://host/path.`,
    );
  }
  if (parsed.protocol !== 'https:' && parsed.protocol !== 'http:') {
    throw new InvalidEndpointError(`url must use https: or http:, got ${parsed.protocol}`);
  }
  if (parsed.username !== '' || parsed.password !== '') {
    throw new InvalidEndpointError('url must not carry credentials; the signature authenticates deliveries.');
  }
  return parsed.toString();
}

function assertId(id: unknown): string {
  if (typeof id !== 'string' || id.length === 0 || id.length > MAX_ID_LENGTH || /[\s/?#]/.test(id)) {
    throw new InvalidEndpointError(
      `id must be 1 to ${MAX_ID_LENGTH} characters without spaces, "/", "?" or "#"; got ${JSON.stringify(id)}.`,
    );
  }
  return id;
}

function assertEventTypes(types: unknown): readonly string[] {
  if (!Array.isArray(types) || types.length === 0 || !types.every((t) => typeof t === 'string' && t !== '')) {
    throw new InvalidEndpointError('eventTypes must be a non-empty list of type globs such as "order.*".');
  }
  compilePattern(typePattern(types as string[]));
  return [...(types as string[])];
}

function assertRate(rate: unknown): number {
  if (typeof rate !== 'number' || !Number.isFinite(rate) || rate <= 0) {
    throw new InvalidEndpointError(`rateLimitPerSecond must be a number above 0, got ${String(rate)}.`);
  }
  return rate;
}

function assertPattern(pattern: unknown): EventPattern {
  if (typeof pattern !== 'object' || pattern === null || Array.isArray(pattern)) {
    throw new InvalidEndpointError('pattern must be an EventBridge-style JSON object.');
  }
  compilePattern(pattern as EventPattern);
  return pattern as EventPattern;
}

/** The pattern a list of type globs stands for. */
export function typePattern(types: readonly string[]): EventPattern {
  return { type: types.map((glob) => ({ wildcard: glob })) };
}

/** Checks an application's endpoint definition and fills in the defaults. Throws `InvalidEndpointError`. */
export function newEndpoint(input: EndpointInput): NewEndpoint {
  return {
    id: assertId(input.id ?? `ep_${crypto.randomUUID().replaceAll('-', '')}`),
    url: assertUrl(input.url),
    ...(input.description === undefined ? {} : { description: String(input.description) }),
    secrets: [{ secret: input.secret === undefined ? generateSecret() : assertSecret(input.secret) }],
    ...(input.eventTypes === undefined ? {} : { eventTypes: assertEventTypes(input.eventTypes) }),
    ...(input.pattern === undefined ? {} : { pattern: assertPattern(input.pattern) }),
    ...(input.rateLimitPerSecond === undefined
      ? {}
      : { rateLimitPerSecond: assertRate(input.rateLimitPerSecond) }),
    ordered: input.ordered ?? false,
    enabled: input.enabled ?? true,
  };
}

/** Checks a change to an endpoint. Throws `InvalidEndpointError`. */
export function checkEndpointUpdate(update: EndpointUpdate): EndpointUpdate {
  if (update.url !== undefined) assertUrl(update.url);
  if (update.secrets !== undefined) {
    if (update.secrets.length === 0) throw new InvalidEndpointError('an endpoint needs at least one secret.');
    for (const entry of update.secrets) assertSecret(entry.secret);
  }
  if (update.eventTypes !== undefined && update.eventTypes !== null) assertEventTypes(update.eventTypes);
  if (update.pattern !== undefined && update.pattern !== null) assertPattern(update.pattern);
  if (update.rateLimitPerSecond !== undefined && update.rateLimitPerSecond !== null) {
    assertRate(update.rateLimitPerSecond);
  }
  return update.url === undefined ? update : { ...update, url: assertUrl(update.url) };
}

/**
 * The secrets after a rotation: `secret` becomes current, the previous current one keeps signing
 * until `now + graceMs`, and secrets already expired are dropped.
 */
export function rotatedSecrets(
  secrets: readonly EndpointSecret[],
  secret: string,
  graceMs: number,
  now: number,
): EndpointSecret[] {
  assertSecret(secret);
  const kept = secrets
    .map((entry, index) => (index === 0 ? { secret: entry.secret, expiresAt: now + graceMs } : entry))
    .filter((entry) => entry.expiresAt === undefined || entry.expiresAt > now);
  return [{ secret }, ...kept];
}
