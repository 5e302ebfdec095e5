import type { CloudEvent, InboxStore } from '@eddy/core';
import { InvalidOptionError } from '@eddy/core/internal';
import type { InboundSource } from './inbound-source.js';
import { toCloudEvent } from './to-cloud-event.js';
import { verifySignature } from './verify-signature.js';

/** An inbound HTTP request as the receiver needs it. */
export interface InboundRequest {
  /** The raw body, exactly as received: signatures are over these bytes. */
  readonly body: Uint8Array;
  /** Headers with lower-case names. */
  readonly headers: Readonly<Record<string, string | undefined>>;
}

/**
 * What became of a request: `accepted` (published now), `duplicate` (the sender's delivery id was
 * accepted before: nothing published again), `busy` (the same delivery is being accepted right now
 * by another request: ask the sender to retry), `unknown-source`.
 */
export type InboundOutcome =
  | { readonly status: 'accepted' | 'duplicate'; readonly event: CloudEvent }
  | { readonly status: 'busy'; readonly event: CloudEvent }
  | { readonly status: 'unknown-source' };

export interface InboundReceiverOptions {
  readonly sources: readonly InboundSource[];
  /** Makes the event durable (publishes it); resolves once the backend has it. */
  readonly publish: (event: CloudEvent) => Promise<void>;
  /** Remembers accepted delivery ids, per source (handler name `webhooks.<source>`). Without one, no dedup. */
  readonly inbox?: InboxStore;
  /** How long an accepted delivery id is remembered, ms. Default 7 days (senders retry for about 3). */
  readonly dedupTtlMs?: number;
}

/** Verifies, maps, dedups and publishes inbound webhooks. */
export interface InboundReceiver {
  /**
   * Handles one request for source `name`. Throws `InvalidSignatureError` (nothing published) or
   * `InvalidPayloadError`; resolves `accepted` only after `publish` resolved.
   */
  receive(name: string, request: InboundRequest): Promise<InboundOutcome>;
  readonly sources: readonly string[];
}

const LEASE_MS = 30_000;

export function createInboundReceiver(options: InboundReceiverOptions): InboundReceiver {
  const sources = new Map<string, InboundSource>();
  for (const source of options.sources) {
    if (!/^[A-Za-z0-9._-]{1,100}$/.test(source.name)) {
      throw new InvalidOptionError(
        `Inbound source name "${source.name}" must be 1-100 letters, digits, ".", "_" or "-".`,
      );
    }
    if (source.secrets.length === 0) {
      throw new InvalidOptionError(
        `Inbound source "${source.name}" needs at least one secret to verify signatures.`,
      );
    }
    sources.set(source.name, source);
  }
  const ttlMs = options.dedupTtlMs ?? 7 * 86_400_000;
  return {
    sources: [...sources.keys()],
    async receive(name, request) {
      const source = sources.get(name);
      if (source === undefined) return { status: 'unknown-source' };
      await verifySignature(source.scheme, {
        body: request.body,
        headers: request.headers,
        secrets: source.secrets,
        ...(source.toleranceSeconds === undefined ? {} : { toleranceSeconds: source.toleranceSeconds }),
      });
      const { event, deliveryId } = toCloudEvent(source, request.body, request.headers);
      const inbox = options.inbox;
      if (inbox === undefined) {
        await options.publish(event);
        return { status: 'accepted', event };
      }
      const handler = `webhooks.${name}`;
      const claim = await inbox.claim(handler, deliveryId, { leaseMs: LEASE_MS });
      if (claim === 'processed') return { status: 'duplicate', event };
      if (claim === 'busy') return { status: 'busy', event };
      try {
        await options.publish(event);
      } catch (error) {
        await inbox.release(handler, deliveryId);
        throw error;
      }
      await inbox.complete(handler, deliveryId, { ttlMs });
      return { status: 'accepted', event };
    },
  };
}
