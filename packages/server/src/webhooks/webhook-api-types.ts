// The JSON shapes of the webhook and request routes (exported from `@eddy/server/api`).

/** An endpoint as the gateway shows it: everything but its secrets. */
export interface WebhookEndpointJson {
  readonly id: string;
  readonly url: string;
  readonly description?: string;
  readonly eventTypes?: readonly string[];
  readonly pattern?: unknown;
  readonly rateLimitPerSecond?: number;
  readonly ordered: boolean;
  readonly enabled: boolean;
  readonly disabledReason?: string;
  readonly failingSince?: string;
  readonly createdAt: string;
  readonly updatedAt: string;
}

/** `POST /v1/webhooks/endpoints` and secret rotation answer with the secret, once. */
export interface WebhookEndpointCreatedResponse extends WebhookEndpointJson {
  readonly secret: string;
}

export interface WebhookEndpointListResponse {
  readonly endpoints: readonly WebhookEndpointJson[];
}

export interface WebhookDeliveryJson {
  readonly id: string;
  readonly endpointId: string;
  readonly eventId: string;
  readonly eventType: string;
  readonly status: 'pending' | 'succeeded' | 'dead';
  readonly attempts: number;
  readonly nextAttemptAt: string;
  readonly lastError?: string;
  readonly sequence: number;
  readonly createdAt: string;
  readonly updatedAt: string;
}

export interface WebhookAttemptJson {
  readonly number: number;
  readonly startedAt: string;
  readonly latencyMs: number;
  readonly statusCode?: number;
  readonly succeeded: boolean;
  readonly error?: string;
  readonly responseBody: string;
}

export interface WebhookDeliveryListResponse {
  readonly deliveries: readonly WebhookDeliveryJson[];
}

export interface WebhookDeliveryDetailResponse extends WebhookDeliveryJson {
  readonly payload: string;
  readonly attemptLog: readonly WebhookAttemptJson[];
}

/** `POST /v1/webhooks/{source}`: what the inbound webhook became. */
export interface InboundWebhookResponse {
  readonly status: 'accepted' | 'duplicate';
  readonly id: string;
  readonly type: string;
}

/** `POST /v1/requests` body. */
export interface CreateRequestBody {
  readonly type: string;
  readonly data?: unknown;
  readonly key?: string;
  /** Where the outcome is POSTed, signed, once the request settles (when the gateway has callbacks). */
  readonly callbackUrl?: string;
}

/** `GET /v1/requests/{id}` (and the 202 of `POST /v1/requests`). */
export interface RequestJson {
  readonly id: string;
  readonly type: string;
  readonly status: 'pending' | 'completed' | 'failed';
  readonly result?: unknown;
  readonly error?: string;
  readonly callbackUrl?: string;
  readonly createdAt: string;
  readonly updatedAt: string;
  readonly expiresAt: string;
}
