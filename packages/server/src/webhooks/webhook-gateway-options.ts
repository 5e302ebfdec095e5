import type { InboxStore } from '@eddy/core';
import type {
  DeliveryStore,
  EndpointStore,
  InboundSource,
  RequestStore,
  WebhookDispatcherOptions,
} from '@eddy/webhooks';

/** Request callbacks of the gateway. */
export interface RequestCallbackGatewayOptions {
  /** `whsec_` secret every callback is signed with; receivers verify with it. */
  readonly secret: string;
  /**
   * Internal hosts, IPs or CIDR ranges callbacks may target (e.g. `['127.0.0.1']` in tests). Default
   * none. The gateway's dispatcher may reach them too, for endpoints as well.
   */
  readonly allowDestinations?: readonly string[];
}

/**
 * Webhook and request routes of the gateway (`/v1/webhooks/...`, `/v1/requests`). Given, the
 * gateway serves them; absent, it does not. Stores are the caller's: the gateway never closes them.
 */
export interface WebhookGatewayOptions {
  /** Outbound endpoints, for the endpoint routes. */
  readonly endpoints: EndpointStore;
  /** Outbound deliveries and their attempts, for the delivery routes. */
  readonly deliveries: DeliveryStore;
  /** Asynchronous requests, for `/v1/requests`. Absent: those routes are not served. */
  readonly requests?: RequestStore;
  /** Senders of inbound webhooks, served at `POST /v1/webhooks/{name}`. Default none. */
  readonly sources?: readonly InboundSource[];
  /** Remembers inbound delivery ids so a resent webhook is published once. Default none (no dedup). */
  readonly inbox?: InboxStore;
  /**
   * Runs a dispatcher in the gateway for these event types (and these dispatcher options). Default
   * none: a dispatcher runs elsewhere on the same stores.
   */
  readonly dispatch?: Omit<WebhookDispatcherOptions, 'endpoints' | 'deliveries' | 'bus'>;
  /**
   * Handler name of the subscription that records replies (its consumer group is
   * `eddy-gateway.<name>`). Default a random one per gateway process, so every gateway sharing the
   * request store sees every reply and wakes its long-polls at once; a fixed name suits a single
   * gateway, whose restarts then leave no consumer groups behind.
   */
  readonly replyHandlerName?: string;
  /** A request with no reply after this long reports failed, ms. Default 5 minutes. */
  readonly requestTimeoutMs?: number;
  /** How long a request's result is kept, ms. Default 1 hour. */
  readonly resultTtlMs?: number;
  /**
   * Request callbacks: `POST /v1/requests` may name a `callbackUrl`, and the outcome is POSTed there
   * as a Standard Webhooks delivery signed with `secret` (retried, logged and dead-lettered like any
   * delivery, through an endpoint `callback_<hash>` per URL). The gateway runs a dispatcher for
   * them. Default none: a `callbackUrl` is refused with `EDDY_REQUEST_INVALID_CALLBACK`.
   */
  readonly callbacks?: RequestCallbackGatewayOptions;
  /** How often expired requests are deleted from `requests`, ms. Default 60 000. */
  readonly requestPurgeIntervalMs?: number;
}
