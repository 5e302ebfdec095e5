import type { SignatureScheme } from './verify-signature.js';

/** A configured sender of inbound webhooks (`POST /v1/webhooks/{name}` on the gateway). */
export interface InboundSource {
  /** The path segment and the name in the event's `source` (`/webhooks/<name>`). */
  readonly name: string;
  readonly scheme: SignatureScheme;
  /** Secrets the sender may sign with: the current one, and any still in rotation. */
  readonly secrets: readonly string[];
  /** Stripe only: largest age of a signed timestamp, seconds. Default 300. */
  readonly toleranceSeconds?: number;
  /** The event type, fixed. Overrides `typeHeader` and `typePath`. */
  readonly type?: string;
  /** Header holding the event type. Default `x-github-event` for GitHub. */
  readonly typeHeader?: string;
  /** Dotted path of the event type in the JSON body. Default `type` for Stripe and Standard Webhooks. */
  readonly typePath?: string;
  /** Prepended to the type found. Default `com.github.` for GitHub, `com.stripe.` for Stripe, none otherwise. */
  readonly typePrefix?: string;
  /**
   * Header holding the sender's delivery id (the dedup key and the event id). Default
   * `webhook-id`, `x-github-delivery`; Stripe's is the body's `id`.
   */
  readonly deliveryIdHeader?: string;
  /** CloudEvents `source`. Default `/webhooks/<name>`. */
  readonly source?: string;
}
