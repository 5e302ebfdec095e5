import { EddyError } from '@eddy/core';

/** The error codes @eddy/webhooks throws; each is documented in docs/reference/errors.md. */
export const WebhookErrorCodes = {
  /** An endpoint definition cannot be used (URL, secret, filter, rate limit). */
  InvalidEndpoint: 'EDDY_WEBHOOK_INVALID_ENDPOINT',
  /** No endpoint has this id. */
  EndpointNotFound: 'EDDY_WEBHOOK_ENDPOINT_NOT_FOUND',
  /** No delivery has this id. */
  DeliveryNotFound: 'EDDY_WEBHOOK_DELIVERY_NOT_FOUND',
  /** A destination resolves to a private, loopback or link-local address that no allow-list names. */
  DestinationRefused: 'EDDY_WEBHOOK_DESTINATION_REFUSED',
  /** An inbound webhook's signature is missing, malformed, wrong, or outside the timestamp tolerance. */
  InvalidSignature: 'EDDY_WEBHOOK_INVALID_SIGNATURE',
  /** An inbound payload cannot be mapped to a CloudEvent (no type, not JSON where JSON was needed). */
  InvalidPayload: 'EDDY_WEBHOOK_INVALID_PAYLOAD',
  /** A request got a reply that reports a failure. */
  RequestFailed: 'EDDY_REQUEST_FAILED',
  /** No request has this id (never made, or its result's retention ran out). */
  RequestNotFound: 'EDDY_REQUEST_NOT_FOUND',
  /** A request's `callbackUrl` cannot be used (not an http(s) URL, internal, or no callbacks configured). */
  InvalidCallback: 'EDDY_REQUEST_INVALID_CALLBACK',
} as const;
export type WebhookErrorCode = (typeof WebhookErrorCodes)[keyof typeof WebhookErrorCodes];

export class InvalidEndpointError extends EddyError {
  constructor(reason: string) {
    super(WebhookErrorCodes.InvalidEndpoint, `Invalid webhook endpoint: ${reason}`);
  }
}

export class EndpointNotFoundError extends EddyError {
  constructor(id: string) {
    super(
      WebhookErrorCodes.EndpointNotFound,
      `Webhook endpoint "${id}" not found. List the endpoints to see which exist.`,
    );
  }
}

export class DeliveryNotFoundError extends EddyError {
  constructor(id: string) {
    super(
      WebhookErrorCodes.DeliveryNotFound,
      `Webhook delivery "${id}" not found. It may be older than the delivery retention.`,
    );
  }
}

export class DestinationRefusedError extends EddyError {
  /** The host of the refused URL. */
  readonly host: string;
  /** The address it resolved to. */
  readonly address: string;

  constructor(host: string, address: string) {
    super(
      WebhookErrorCodes.DestinationRefused,
      `Refusing to deliver to ${host}: it resolves to ${address}, a private, loopback or link-local address. ` +
        "Use a public destination, or name the host or address in the dispatcher's allowDestinations.",
    );
    this.host = host;
    this.address = address;
  }
}

export class InvalidSignatureError extends EddyError {
  /** Why the signature was refused, one sentence. */
  readonly reason: string;

  constructor(reason: string) {
    super(
      WebhookErrorCodes.InvalidSignature,
      `Webhook signature refused: ${reason}. Check the source's secret and that the raw body is verified unchanged.`,
    );
    this.reason = reason;
  }
}

export class InvalidPayloadError extends EddyError {
  constructor(reason: string) {
    super(WebhookErrorCodes.InvalidPayload, `Webhook payload cannot be mapped to an event: ${reason}`);
  }
}

export class RequestFailedError extends EddyError {
  /** The request's id. */
  readonly requestId: string;

  constructor(requestId: string, message: string) {
    super(WebhookErrorCodes.RequestFailed, `Request "${requestId}" failed: ${message}`);
    this.requestId = requestId;
  }
}

export class RequestNotFoundError extends EddyError {
  constructor(id: string) {
    super(
      WebhookErrorCodes.RequestNotFound,
      `Request "${id}" not found. It was never made here, or its result is older than the retention.`,
    );
  }
}

export class InvalidCallbackError extends EddyError {
  constructor(reason: string) {
    super(WebhookErrorCodes.InvalidCallback, `Invalid request callbackUrl: ${reason}`);
  }
}
