import type { EventPattern } from '@eddy/rules';

/** A secret an endpoint signs with: the current one, or an older one kept until `expiresAt` during rotation. */
export interface EndpointSecret {
  /** `whsec_` followed by base64 of 24 to 64 random bytes. */
  readonly secret: string;
  /** Epoch ms after which deliveries stop being signed with it. Absent for the current secret. */
  readonly expiresAt?: number;
}

/** A webhook destination and what it wants to receive. */
export interface Endpoint {
  readonly id: string;
  /** `https://` (or `http://`) URL the deliveries are POSTed to. */
  readonly url: string;
  readonly description?: string;
  /**
   * Signing secrets, current first. Every secret not yet expired signs each delivery, so the
   * receiver can switch secrets without a window where deliveries fail verification.
   */
  readonly secrets: readonly EndpointSecret[];
  /** Event type globs (`order.*`, `*.created`); absent means every type. */
  readonly eventTypes?: readonly string[];
  /** An EventBridge-style content pattern the event must also match (see @eddy/rules). */
  readonly pattern?: EventPattern;
  /** Most deliveries started per second; absent means unlimited. */
  readonly rateLimitPerSecond?: number;
  /** Deliveries one at a time, in the order events were enqueued (a failing head holds the rest back). */
  readonly ordered: boolean;
  readonly enabled: boolean;
  /** Why the endpoint was disabled by the dispatcher (`410 Gone`, failing too long). */
  readonly disabledReason?: string;
  /** Epoch ms of the first failure since the last success; absent while healthy. */
  readonly failingSince?: number;
  readonly createdAt: number;
  readonly updatedAt: number;
}

/** What creating an endpoint takes; the store sets `createdAt` and `updatedAt`. */
export interface NewEndpoint {
  readonly id: string;
  readonly url: string;
  readonly description?: string;
  readonly secrets: readonly EndpointSecret[];
  readonly eventTypes?: readonly string[];
  readonly pattern?: EventPattern;
  readonly rateLimitPerSecond?: number;
  readonly ordered: boolean;
  readonly enabled: boolean;
}

/** A change to an endpoint: a value sets the field, `null` clears an optional one, absent leaves it. */
export interface EndpointUpdate {
  readonly url?: string;
  readonly description?: string | null;
  readonly secrets?: readonly EndpointSecret[];
  readonly eventTypes?: readonly string[] | null;
  readonly pattern?: EventPattern | null;
  readonly rateLimitPerSecond?: number | null;
  readonly ordered?: boolean;
  readonly enabled?: boolean;
  readonly disabledReason?: string | null;
  readonly failingSince?: number | null;
}

/** Applies `update` to `endpoint` (what every store does, kept in one place). */
export function applyEndpointUpdate(endpoint: Endpoint, update: EndpointUpdate, now: number): Endpoint {
  const next: Record<string, unknown> = { ...endpoint, updatedAt: now };
  for (const [field, value] of Object.entries(update)) {
    if (value === undefined) continue;
    if (value === null) delete next[field];
    else next[field] = value;
  }
  return next as unknown as Endpoint;
}
