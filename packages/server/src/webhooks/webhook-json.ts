import type { Delivery, DeliveryAttempt, Endpoint, RequestRecord } from '@eddy/webhooks';
import type {
  RequestJson,
  WebhookAttemptJson,
  WebhookDeliveryJson,
  WebhookEndpointJson,
} from './webhook-api-types.js';

const iso = (ms: number): string => new Date(ms).toISOString();

export function endpointJson(endpoint: Endpoint): WebhookEndpointJson {
  return {
    id: endpoint.id,
    url: endpoint.url,
    ...(endpoint.description === undefined ? {} : { description: endpoint.description }),
    ...(endpoint.eventTypes === undefined ? {} : { eventTypes: endpoint.eventTypes }),
    ...(endpoint.pattern === undefined ? {} : { pattern: endpoint.pattern }),
    ...(endpoint.rateLimitPerSecond === undefined ? {} : { rateLimitPerSecond: endpoint.rateLimitPerSecond }),
    ordered: endpoint.ordered,
    enabled: endpoint.enabled,
    ...(endpoint.disabledReason === undefined ? {} : { disabledReason: endpoint.disabledReason }),
    ...(endpoint.failingSince === undefined ? {} : { failingSince: iso(endpoint.failingSince) }),
    createdAt: iso(endpoint.createdAt),
    updatedAt: iso(endpoint.updatedAt),
  };
}

export function deliveryJson(delivery: Delivery): WebhookDeliveryJson {
  return {
    id: delivery.id,
    endpointId: delivery.endpointId,
    eventId: delivery.eventId,
    eventType: delivery.eventType,
    status: delivery.status,
    attempts: delivery.attempts,
    nextAttemptAt: iso(delivery.nextAttemptAt),
    ...(delivery.lastError === undefined ? {} : { lastError: delivery.lastError }),
    sequence: delivery.sequence,
    createdAt: iso(delivery.createdAt),
    updatedAt: iso(delivery.updatedAt),
  };
}

export function attemptJson(attempt: DeliveryAttempt): WebhookAttemptJson {
  return {
    number: attempt.number,
    startedAt: iso(attempt.startedAt),
    latencyMs: attempt.latencyMs,
    ...(attempt.statusCode === undefined ? {} : { statusCode: attempt.statusCode }),
    succeeded: attempt.succeeded,
    ...(attempt.error === undefined ? {} : { error: attempt.error }),
    responseBody: attempt.responseBody,
  };
}

export function requestJson(record: RequestRecord): RequestJson {
  return {
    id: record.id,
    type: record.type,
    status: record.status,
    ...(record.result === undefined ? {} : { result: record.result }),
    ...(record.error === undefined ? {} : { error: record.error }),
    ...(record.callbackUrl === undefined ? {} : { callbackUrl: record.callbackUrl }),
    createdAt: iso(record.createdAt),
    updatedAt: iso(record.updatedAt),
    expiresAt: iso(record.expiresAt),
  };
}
