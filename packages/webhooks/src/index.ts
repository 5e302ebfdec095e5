// Outbound webhooks
export { createWebhookDispatcher, type WebhookDispatcher } from './outbound/dispatcher.js';
export type { WebhookDispatcherOptions, WebhookRetryOptions } from './outbound/dispatcher-options.js';
export { createDestinationGuard, type DestinationGuard } from './outbound/destination-guard.js';
export { webhookPayload } from './outbound/payload.js';
export type { Endpoint, EndpointSecret, EndpointUpdate, NewEndpoint } from './endpoint.js';
export { applyEndpointUpdate } from './endpoint.js';
export { checkEndpointUpdate, newEndpoint, rotatedSecrets, type EndpointInput } from './endpoint-input.js';
export type { EndpointStore } from './endpoint-store.js';
export {
  deliveryIdOf,
  type Delivery,
  type DeliveryAttempt,
  type DeliveryQuery,
  type DeliverySettlement,
  type DeliveryStatus,
  type NewDelivery,
} from './delivery.js';
export type { ClaimDeliveriesOptions, DeliveryStore } from './delivery-store.js';
export { createMemoryEndpointStore } from './memory/memory-endpoint-store.js';
export { createMemoryDeliveryStore } from './memory/memory-delivery-store.js';

// Signing
export { generateSecret } from './signing/secret.js';
export { signWebhook, type SignWebhookInput, type WebhookSignatureHeaders } from './signing/sign-webhook.js';

// Errors
export {
  DeliveryNotFoundError,
  DestinationRefusedError,
  EndpointNotFoundError,
  InvalidEndpointError,
  InvalidCallbackError,
  InvalidPayloadError,
  InvalidSignatureError,
  RequestFailedError,
  RequestNotFoundError,
  WebhookErrorCodes,
  type WebhookErrorCode,
} from './errors.js';

// Inbound webhooks
export type { InboundSource } from './inbound/inbound-source.js';
export {
  createInboundReceiver,
  type InboundOutcome,
  type InboundReceiver,
  type InboundReceiverOptions,
  type InboundRequest,
} from './inbound/inbound-receiver.js';
export { toCloudEvent, type InboundEvent } from './inbound/to-cloud-event.js';
export {
  verifyGithubSignature,
  verifySignature,
  verifyStandardWebhook,
  verifyStripeSignature,
  type SignatureScheme,
  type VerifyInput,
} from './inbound/verify-signature.js';

// Request-reply
export {
  createRequester,
  type RequestOptions,
  type Requester,
  type RequesterOptions,
} from './request/requester.js';
export {
  DEFAULT_REPLY_TYPE,
  IN_REPLY_TO,
  REPLY_ERROR,
  REPLY_TO,
  replyTo,
  type ReplyInput,
} from './request/reply-protocol.js';
export {
  createRequestTracker,
  type RequestTracker,
  type RequestTrackerOptions,
} from './request/request-tracker.js';
export type { RequestOutcome, RequestRecord, RequestStatus, RequestStore } from './request-store.js';
export { createMemoryRequestStore } from './memory/memory-request-store.js';
export {
  CALLBACK_ENDPOINT_PREFIX,
  createRequestCallbacks,
  REQUEST_CALLBACK_TYPES,
  type RequestCallbackOptions,
  type RequestCallbacks,
} from './request/request-callbacks.js';
