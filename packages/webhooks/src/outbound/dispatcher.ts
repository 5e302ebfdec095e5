import { randomUUID } from 'node:crypto';
import type { CloudEvent } from '@eddy/core';
import { backoffDelayMs, InvalidOptionError, silentLogger } from '@eddy/core/internal';
import { compilePattern, eventView, type CompiledPattern } from '@eddy/rules';
import { deliveryIdOf, type Delivery, type DeliveryAttempt, type NewDelivery } from '../delivery.js';
import type { Endpoint } from '../endpoint.js';
import { typePattern } from '../endpoint-input.js';
import { DeliveryNotFoundError } from '../errors.js';
import { signWebhook } from '../signing/sign-webhook.js';
import { createDestinationGuard } from './destination-guard.js';
import type { WebhookDispatcherOptions } from './dispatcher-options.js';
import { HttpSender, type SendResult } from './http-sender.js';
import { webhookPayload } from './payload.js';
import { EndpointRateLimits } from './rate-limits.js';

const DAY_MS = 86_400_000;

/** Delivers events to webhook endpoints. */
export interface WebhookDispatcher {
  /**
   * Enqueues `event` for every enabled endpoint whose filter it matches, durably (resolves once the
   * delivery store has them). Returns how many deliveries were new; enqueuing one event twice adds none.
   */
  enqueue(event: CloudEvent): Promise<number>;
  /** Makes a delivery pending again and due now (leaving the dead-letter queue if it was there). */
  redeliver(deliveryId: string): Promise<Delivery>;
  /** Looks for due deliveries now, e.g. after something other than `enqueue` stored some. */
  wake(): void;
  /** Starts sending due deliveries. */
  start(): void;
  /** Stops claiming, waits for attempts in flight, closes connections. Stores stay open. Idempotent. */
  stop(): Promise<void>;
}

interface Filter {
  readonly updatedAt: number;
  readonly patterns: readonly CompiledPattern[];
}

function positive(name: string, value: number): number {
  if (!Number.isFinite(value) || value <= 0) {
    throw new InvalidOptionError(`Webhook dispatcher option ${name} must be a number above 0, got ${value}.`);
  }
  return value;
}

/**
 * Creates a dispatcher: events (from `bus` or `enqueue`) become deliveries in the delivery store;
 * a loop claims due deliveries and POSTs them signed per Standard Webhooks, with a deadline, retries
 * with exponential backoff and full jitter (at least `Retry-After` when the receiver sends one),
 * per-endpoint order and rate limits. `410 Gone` disables the endpoint; so does failing for
 * `disableAfterMs`. Deliveries out of attempts go to their endpoint's dead-letter queue
 * (status `dead`). Every attempt is logged with its status, latency and the response's first bytes.
 */
export function createWebhookDispatcher(options: WebhookDispatcherOptions): WebhookDispatcher {
  const { endpoints, deliveries } = options;
  const now = options.now ?? Date.now;
  const logger = options.logger ?? silentLogger;
  const timeoutMs = positive('timeoutMs', options.timeoutMs ?? 15_000);
  const maxAttempts = positive('retry.maxAttempts', options.retry?.maxAttempts ?? 12);
  const retryDelays = {
    baseDelayMs: positive('retry.baseDelayMs', options.retry?.baseDelayMs ?? 10_000),
    maxDelayMs: positive('retry.maxDelayMs', options.retry?.maxDelayMs ?? 6 * 3_600_000),
  };
  const disableAfterMs = positive('disableAfterMs', options.disableAfterMs ?? 5 * DAY_MS);
  const concurrency = positive('concurrency', options.concurrency ?? 64);
  const pollIntervalMs = positive('pollIntervalMs', options.pollIntervalMs ?? 500);
  const claimBatch = Math.max(1, Math.floor(concurrency / 4));
  const leaseMs = positive('leaseMs', options.leaseMs ?? timeoutMs + 30_000);
  const retentionMs = positive('retentionMs', options.retentionMs ?? 30 * DAY_MS);
  const owner = `dispatcher-${randomUUID()}`;
  const sender = new HttpSender({
    guard: createDestinationGuard(options.allowDestinations),
    timeoutMs,
    responseBodyBytes: options.responseBodyBytes ?? 1024,
    userAgent: options.userAgent ?? 'Eddy-Webhooks/0.1',
    connectionsPerOrigin: concurrency,
  });
  const rateLimits = new EndpointRateLimits();
  const filters = new Map<string, Filter>();
  const inFlight = new Set<Promise<void>>();
  let state: 'created' | 'running' | 'stopping' | 'stopped' = 'created';
  let stopped: Promise<void> | undefined;
  let loop: Promise<void> | undefined;
  let wake: (() => void) | undefined;
  let woken = false;
  let nextPurgeAt = 0;

  const signal = (): void => {
    woken = true;
    wake?.();
  };

  const matches = (endpoint: Endpoint, event: CloudEvent): boolean => {
    let filter = filters.get(endpoint.id);
    if (filter?.updatedAt !== endpoint.updatedAt) {
      const patterns: CompiledPattern[] = [];
      if (endpoint.eventTypes !== undefined) patterns.push(compilePattern(typePattern(endpoint.eventTypes)));
      if (endpoint.pattern !== undefined) patterns.push(compilePattern(endpoint.pattern));
      filter = { updatedAt: endpoint.updatedAt, patterns };
      filters.set(endpoint.id, filter);
    }
    if (filter.patterns.length === 0) return true;
    const view = eventView(event);
    return filter.patterns.every((pattern) => pattern.matches(view));
  };

  const disable = async (endpoint: Endpoint, reason: string): Promise<void> => {
    await endpoints.update(endpoint.id, { enabled: false, disabledReason: reason }, now());
    logger.warn({ endpoint: endpoint.id, reason }, 'webhook endpoint disabled');
  };

  const settle = async (
    delivery: Delivery,
    status: Delivery['status'],
    extra: { nextAttemptAt?: number; attempt?: DeliveryAttempt; lastError?: string } = {},
  ): Promise<void> => {
    const settledAt = now();
    const settled = await deliveries.settle(delivery.id, {
      owner,
      status,
      nextAttemptAt: extra.nextAttemptAt ?? settledAt,
      now: settledAt,
      ...(extra.attempt === undefined ? {} : { attempt: extra.attempt }),
      ...(extra.lastError === undefined ? {} : { lastError: extra.lastError }),
    });
    if (!settled) logger.warn({ delivery: delivery.id }, 'webhook delivery claim lost before it was settled');
  };

  const failure = (result: SendResult): string =>
    result.error ??
    `HTTP ${result.statusCode ?? 0}${result.responseBody === '' ? '' : `: ${result.responseBody.slice(0, 200)}`}`;

  const attemptDelivery = async (delivery: Delivery): Promise<void> => {
    const endpoint = await endpoints.get(delivery.endpointId);
    if (endpoint === undefined) {
      await settle(delivery, 'dead', { lastError: 'the endpoint was deleted' });
      return;
    }
    if (!endpoint.enabled) {
      await settle(delivery, 'dead', {
        lastError: `the endpoint is disabled${endpoint.disabledReason === undefined ? '' : ` (${endpoint.disabledReason})`}`,
      });
      return;
    }
    if (endpoint.rateLimitPerSecond !== undefined) {
      const waitMs = rateLimits.take(endpoint.id, endpoint.rateLimitPerSecond, now());
      if (waitMs > 0) {
        await settle(delivery, 'pending', { nextAttemptAt: now() + waitMs });
        return;
      }
    }
    const startedAt = now();
    const secrets = endpoint.secrets
      .filter((entry) => entry.expiresAt === undefined || entry.expiresAt > startedAt)
      .map((entry) => entry.secret);
    const headers = signWebhook({
      id: delivery.eventId,
      payload: delivery.payload,
      secrets,
      timestamp: new Date(startedAt),
    });
    const result = await sender.send(endpoint.url, delivery.payload, headers);
    const number = delivery.attempts + 1;
    const succeeded = result.statusCode !== undefined && result.statusCode >= 200 && result.statusCode < 300;
    const attempt: DeliveryAttempt = {
      deliveryId: delivery.id,
      number,
      startedAt,
      latencyMs: result.latencyMs,
      ...(result.statusCode === undefined ? {} : { statusCode: result.statusCode }),
      succeeded,
      ...(succeeded ? {} : { error: failure(result) }),
      responseBody: result.responseBody,
    };
    const finishedAt = now();
    if (succeeded) {
      await settle(delivery, 'succeeded', { attempt });
      if (endpoint.failingSince !== undefined)
        await endpoints.update(endpoint.id, { failingSince: null }, finishedAt);
      return;
    }
    const lastError = attempt.error!;
    if (result.statusCode === 410) {
      await settle(delivery, 'dead', { attempt, lastError });
      await disable(endpoint, 'the receiver answered 410 Gone');
      return;
    }
    const failingSince = endpoint.failingSince ?? startedAt;
    if (endpoint.failingSince === undefined)
      await endpoints.update(endpoint.id, { failingSince }, finishedAt);
    if (finishedAt - failingSince >= disableAfterMs) {
      await settle(delivery, 'dead', { attempt, lastError });
      await disable(endpoint, `failing since ${new Date(failingSince).toISOString()}`);
      return;
    }
    if (result.refused || number >= maxAttempts) {
      await settle(delivery, 'dead', { attempt, lastError });
      return;
    }
    const backoff = backoffDelayMs(number, retryDelays);
    const delay = Math.max(backoff, Math.min(result.retryAfterMs ?? 0, retryDelays.maxDelayMs));
    await settle(delivery, 'pending', { attempt, lastError, nextAttemptAt: finishedAt + delay });
    scheduleWake(delay);
  };

  let timer: NodeJS.Timeout | undefined;
  let timerAt = Number.POSITIVE_INFINITY;
  // Retries due sooner than the next poll wake the loop on time instead of a poll interval late.
  const scheduleWake = (delayMs: number): void => {
    const at = Date.now() + delayMs;
    if (delayMs >= pollIntervalMs || at >= timerAt) return;
    if (timer !== undefined) clearTimeout(timer);
    timerAt = at;
    timer = setTimeout(() => {
      timer = undefined;
      timerAt = Number.POSITIVE_INFINITY;
      signal();
    }, delayMs);
    timer.unref();
  };

  const track = (delivery: Delivery): void => {
    const work = attemptDelivery(delivery)
      .catch((error: unknown) => {
        logger.error(
          { delivery: delivery.id, err: error },
          'webhook delivery failed to settle; its claim will run out',
        );
      })
      .finally(() => {
        inFlight.delete(work);
        signal();
      });
    inFlight.add(work);
  };

  const idle = (): Promise<void> =>
    new Promise((resolve) => {
      if (woken || state !== 'running') {
        resolve();
        return;
      }
      const poll = setTimeout(resolve, pollIntervalMs);
      wake = () => {
        clearTimeout(poll);
        resolve();
      };
    });

  const run = async (): Promise<void> => {
    while (state === 'running') {
      woken = false;
      wake = undefined;
      try {
        const room = concurrency - inFlight.size;
        // Claims are batched (a quarter of the slots at a time) so a busy dispatcher pays one store
        // round trip per several deliveries, not one per completion.
        if (room > 0 && (inFlight.size === 0 || room >= claimBatch)) {
          const claimed = await deliveries.claimDue({ now: now(), limit: room, leaseMs, owner });
          for (const delivery of claimed) track(delivery);
          if (claimed.length === room) continue;
        }
        if (now() >= nextPurgeAt) {
          nextPurgeAt = now() + Math.min(retentionMs, 3_600_000);
          await deliveries.purge(now() - retentionMs);
        }
      } catch (error) {
        logger.error({ err: error }, 'webhook dispatcher could not claim deliveries; retrying');
      }
      await idle();
    }
  };

  const dispatcher: WebhookDispatcher = {
    async enqueue(event) {
      const all = await endpoints.list();
      const payload = webhookPayload(event);
      const batch: NewDelivery[] = all
        .filter((endpoint) => endpoint.enabled && matches(endpoint, event))
        .map((endpoint) => ({
          id: deliveryIdOf(endpoint.id, event.id),
          endpointId: endpoint.id,
          eventId: event.id,
          eventType: event.type,
          payload,
          ordered: endpoint.ordered,
        }));
      if (batch.length === 0) return 0;
      const added = await deliveries.enqueue(batch, now());
      signal();
      return added;
    },
    async redeliver(deliveryId) {
      const delivery = await deliveries.redeliver(deliveryId, now());
      if (delivery === undefined) throw new DeliveryNotFoundError(deliveryId);
      signal();
      return delivery;
    },
    wake: signal,
    start() {
      if (state !== 'created') return;
      state = 'running';
      loop = run();
    },
    stop() {
      stopped ??= (async () => {
        state = 'stopping';
        signal();
        await loop;
        await Promise.all([...inFlight]);
        if (timer !== undefined) clearTimeout(timer);
        await sender.close();
        state = 'stopped';
      })();
      return stopped;
    },
  };

  if (options.bus !== undefined) {
    for (const type of options.eventTypes ?? []) {
      options.bus.on(
        type,
        async (event) => {
          await dispatcher.enqueue(event);
        },
        { name: `webhooks.${type}` },
      );
    }
  }
  return dispatcher;
}
