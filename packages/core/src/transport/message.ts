/** Header names and values as transports carry them: lower-case ASCII names, string values. */
export type Headers = Readonly<Record<string, string>>;

/** What a producer hands to `Transport.publish`. */
export interface OutgoingMessage {
  /**
   * Partition key. Messages with the same key land in the same partition and are delivered in
   * publish order. Without a key the transport spreads messages over partitions.
   */
  readonly key?: string;
  readonly headers?: Headers;
  readonly payload: Uint8Array;
  /**
   * Earliest delivery time, epoch milliseconds. Only honoured where `capabilities.delayedDelivery`
   * is true; other transports reject it with `EDDY_NOT_SUPPORTED`.
   */
  readonly deliverAt?: number;
  /**
   * Publish-time dedupe or debounce by key (see `PublishDedupe`). Only honoured where
   * `capabilities.publishDedupe` is true; other transports reject it with `EDDY_NOT_SUPPORTED`.
   */
  readonly dedupe?: PublishDedupe;
}

/** Where a message sits in a topic. Offsets are opaque, backend-specific strings that sort within a partition. */
export interface Position {
  readonly partition: number;
  readonly offset: string;
}

/** What a handler receives. */
export interface ReceivedMessage extends Position {
  readonly topic: string;
  readonly key: string | undefined;
  readonly headers: Headers;
  readonly payload: Uint8Array;
  /** When the backend accepted the message, epoch milliseconds. */
  readonly publishedAt: number;
  /** 1 on first delivery; grows with every redelivery (nack, ack timeout, consumer crash). */
  readonly deliveryCount: number;
}

/** Total size a transport counts against its limit: payload plus header names and values, in bytes. */
export function messageSizeBytes(message: OutgoingMessage): number {
  let size = message.payload.byteLength + (message.key === undefined ? 0 : Buffer.byteLength(message.key));
  const { headers } = message;
  if (headers !== undefined) {
    // Keys, not entries: no [name, value] array per header on every publish (garbage the
    // collector pays for on a busy producer, most of all where the transport keeps messages on the heap).
    for (const name of Object.keys(headers)) {
      size += Buffer.byteLength(name) + Buffer.byteLength(headers[name]!);
    }
  }
  return size;
}

/**
 * Publish-time dedupe of one message, by a key the producer chooses (an entity id, a job name):
 * - `'drop'`: a repeat of the key within `ttlMs` of the first is not published; the publish
 *   resolves with the position of the message it repeats.
 * - `'replace'`: the repeat is published and the earlier message of the key, if it is still
 *   pending (its `deliverAt` not reached), is never delivered; the repeat keeps the earlier one's
 *   `deliverAt` unless it has its own. Within `ttlMs` of the first publish.
 * - `'extend'` (debounce): every message of the key is delayed by `ttlMs`; a repeat while the
 *   earlier one is pending replaces it and pushes delivery to `ttlMs` after the repeat, but never
 *   later than `maxDelayMs` after the first of the burst.
 */
export interface PublishDedupe {
  /** Dedupe key, unique per topic: 1-200 characters, no NUL. Required. */
  readonly key: string;
  /** Window in ms (`'drop'`, `'replace'`) or quiet period (`'extend'`). Required, > 0. */
  readonly ttlMs: number;
  /** Default `'drop'`. */
  readonly mode?: 'drop' | 'replace' | 'extend';
  /** `'extend'` only: latest delivery, ms after the first message of a burst. Default 10 × `ttlMs`. */
  readonly maxDelayMs?: number;
}
