import type { OutgoingMessage, ReceivedMessage, StoredMessageView, SubscriptionFilter } from '@eddy/core';
import { headerConditionOf } from '@eddy/core/internal';

/**
 * A row of `claim()`: a claimed message, a position-loss marker (with `out_lost_from`), or the
 * counts by type of messages the subscription's filter skipped in the database (`out_filtered`).
 */
export interface ClaimRow {
  out_partition: number;
  out_offset: string;
  out_key: string | null;
  out_headers: Record<string, string>;
  out_payload: Buffer;
  out_published_at: string;
  out_delivery_count: number;
  /** Set on a position-loss row (not a message): offsets from here to out_offset - 1 were trimmed unread. */
  out_lost_from: string | null;
  /** Set on a filtered row (not a message): `{ <ce-type header>: count }` of the skipped messages. */
  out_filtered: Record<string, number> | null;
}

/** A row of `<schema>.messages` as the admin reads it. */
export interface MessageRow {
  partition: number;
  log_offset: string;
  key: string | null;
  headers: Record<string, string>;
  payload: Buffer;
  published_at: string;
  deliver_at: string | null;
}

/**
 * The array parameters of `publish()` after topic, partitions and sequence numbers: keys, headers
 * (jsonb), payloads (bytea, shared with the caller's buffer, not copied) and `deliverAt` times.
 */
export function encodeMessages(
  messages: readonly OutgoingMessage[],
): [(string | null)[], string[], Buffer[], (number | null)[]] {
  return [
    messages.map((message) => message.key ?? null),
    messages.map((message) => JSON.stringify(message.headers ?? {})),
    messages.map((message) =>
      Buffer.from(message.payload.buffer, message.payload.byteOffset, message.payload.byteLength),
    ),
    messages.map((message) => message.deliverAt ?? null),
  ];
}

/** A claimed row as the handler receives it. */
export function decodeClaimRow(topic: string, row: ClaimRow): ReceivedMessage {
  return {
    topic,
    partition: row.out_partition,
    offset: row.out_offset,
    key: row.out_key ?? undefined,
    headers: row.out_headers,
    payload: row.out_payload,
    publishedAt: Number(row.out_published_at),
    deliveryCount: row.out_delivery_count,
  };
}

/** A stored row as the admin shows it. */
export function decodeMessageRow(topic: string, row: MessageRow): StoredMessageView {
  return {
    topic,
    partition: row.partition,
    offset: row.log_offset,
    key: row.key ?? undefined,
    headers: row.headers,
    payload: row.payload,
    publishedAt: Number(row.published_at),
    deliverAt: row.deliver_at === null ? undefined : Number(row.deliver_at),
  };
}

/**
 * Written into the stored headers of a pending message that a later one of its dedupe key
 * replaced: subscribers settle it without handing it to their handler.
 */
export const SUPERSEDED_HEADER = 'eddy-superseded';

/**
 * A checked subscription filter as `claim()` takes it (`p_filter`): the JSON of its header
 * condition, or null when the database cannot skip anything for it.
 */
export function encodeSkipCondition(filter: SubscriptionFilter | undefined): string | null {
  if (filter === undefined) return null;
  const condition = headerConditionOf(filter);
  return condition === true ? null : JSON.stringify(condition);
}
