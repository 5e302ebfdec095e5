import type { Headers } from '../transport/message.js';

/**
 * A CloudEvent serialized for a transport: what `encodeCloudEvent` returns and
 * `decodeCloudEvent` reads. Shaped so that an `OutgoingMessage` or `ReceivedMessage` fits.
 */
export interface CloudEventMessage {
  readonly headers: Headers;
  readonly payload: Uint8Array;
}

/**
 * How an event travels (CloudEvents protocol bindings):
 * - `'binary'`: attributes in `ce-*` headers, data as the payload. Brokers can route and filter on
 *   headers without parsing the payload, and the data is not re-encoded.
 * - `'structured'`: the whole event as one JSON document (`application/cloudevents+json`), for
 *   channels that do not keep headers.
 */
export type CloudEventMode = 'binary' | 'structured';
