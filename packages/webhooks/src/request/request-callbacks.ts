import { createHash } from 'node:crypto';
import type { CloudEvent } from '@eddy/core';
import { deliveryIdOf } from '../delivery.js';
import type { DeliveryStore } from '../delivery-store.js';
import type { EndpointStore } from '../endpoint-store.js';
import { DestinationRefusedError, InvalidCallbackError } from '../errors.js';
import { createDestinationGuard } from '../outbound/destination-guard.js';
import { webhookPayload } from '../outbound/payload.js';
import type { RequestRecord } from '../request-store.js';
import { assertSecret } from '../signing/secret.js';

/** Event types of callback deliveries; endpoints of callbacks receive only these. */
export const REQUEST_CALLBACK_TYPES = ['eddy.request.completed', 'eddy.request.failed'] as const;

/** Prefix of the endpoint ids callbacks are delivered through (`callback_<hash of the URL>`). */
export const CALLBACK_ENDPOINT_PREFIX = 'callback_';

export interface RequestCallbackOptions {
  readonly endpoints: EndpointStore;
  readonly deliveries: DeliveryStore;
  /** `whsec_` secret every callback is signed with (Standard Webhooks); receivers verify with it. */
  readonly secret: string;
  /**
   * Host names, IPs or CIDR ranges a callback may target although internal. Default none. The
   * dispatcher sending the callbacks must allow them too (its own `allowDestinations`).
   */
  readonly allowDestinations?: readonly string[];
  /** Called after a callback was enqueued, e.g. to wake a dispatcher in this process. */
  readonly onEnqueued?: () => void;
  /** `source` of the callback events. Default `eddy.requests`. */
  readonly source?: string;
  /** Clock, for tests. Default `Date.now`. */
  readonly now?: () => number;
}

/**
 * Result callbacks of asynchronous requests, sent as webhook deliveries: each callback URL gets an
 * endpoint of its own (`callback_<hash>`, signed with the callbacks' secret), and a settled request
 * becomes one delivery to it, with the request id as `webhook-id`. The dispatcher then gives
 * callbacks what every delivery has: retries across processes and restarts, an attempt log and a
 * dead-letter queue with redelivery.
 */
export interface RequestCallbacks {
  /** Checks a callback URL before its request is accepted; returns it normalised. Throws `InvalidCallbackError`. */
  check(url: string): Promise<string>;
  /**
   * Enqueues the outcome of a settled request for its callback URL; nothing for a pending request or
   * one without a callback. Enqueuing one request twice makes one delivery.
   */
  send(record: RequestRecord): Promise<void>;
}

export function createRequestCallbacks(options: RequestCallbackOptions): RequestCallbacks {
  const { endpoints, deliveries } = options;
  const secret = assertSecret(options.secret);
  const guard = createDestinationGuard(options.allowDestinations);
  const now = options.now ?? Date.now;
  const source = options.source ?? 'eddy.requests';

  const endpointFor = async (url: string): Promise<string> => {
    const id = `${CALLBACK_ENDPOINT_PREFIX}${createHash('sha256').update(url).digest('base64url').slice(0, 24)}`;
    const existing = await endpoints.get(id);
    if (existing === undefined) {
      await endpoints.create(
        {
          id,
          url,
          description: 'Request result callbacks',
          secrets: [{ secret }],
          eventTypes: [...REQUEST_CALLBACK_TYPES],
          ordered: false,
          enabled: true,
        },
        now(),
      );
    } else if (existing.secrets[0]?.secret !== secret) {
      // The callbacks' secret changed since this endpoint was made: sign with the new one from now on.
      await endpoints.update(id, { secrets: [{ secret }] }, now());
    }
    return id;
  };

  return {
    async check(url) {
      let parsed: URL;
      try {
        parsed = new URL(url);
      } catch {
        throw new InvalidCallbackError(
          `${JSON.stringify(url)} is not an absolute URL. Use https://host/path.`,
        );
      }
      if (parsed.protocol !== 'https:' && parsed.protocol !== 'http:') {
        throw new InvalidCallbackError(`it must use https: or http:, got ${parsed.protocol}`);
      }
      if (parsed.username !== '' || parsed.password !== '') {
        throw new InvalidCallbackError(
          'it must not carry credentials; the signature authenticates callbacks.',
        );
      }
      try {
        await guard.checkUrl(parsed.toString());
      } catch (error) {
        if (error instanceof DestinationRefusedError) {
          throw new InvalidCallbackError(
            `${parsed.host} resolves to ${error.address}, an internal address. Use a public URL, or allow the host in the gateway's callback allowDestinations.`,
          );
        }
        throw new InvalidCallbackError(`${parsed.hostname} cannot be resolved (${String(error)}).`);
      }
      return parsed.toString();
    },
    async send(record) {
      if (record.callbackUrl === undefined || record.status === 'pending') return;
      const endpointId = await endpointFor(record.callbackUrl);
      const event: CloudEvent = {
        specversion: '1.0',
        id: record.id,
        source,
        type: record.status === 'completed' ? REQUEST_CALLBACK_TYPES[0] : REQUEST_CALLBACK_TYPES[1],
        time: new Date(record.updatedAt).toISOString(),
        subject: record.type,
        data: {
          id: record.id,
          type: record.type,
          status: record.status,
          ...(record.status === 'completed' ? { result: record.result ?? null } : { error: record.error }),
          createdAt: new Date(record.createdAt).toISOString(),
          updatedAt: new Date(record.updatedAt).toISOString(),
        },
      };
      const added = await deliveries.enqueue(
        [
          {
            id: deliveryIdOf(endpointId, record.id),
            endpointId,
            eventId: record.id,
            eventType: event.type,
            payload: webhookPayload(event),
            ordered: false,
          },
        ],
        now(),
      );
      if (added > 0) options.onEnqueued?.();
    },
  };
}
