import type { Headers } from '@eddy/core';

/**
 * What a message carries while it waits in the retry topic, as Kafka headers. Header names are
 * Eddy-reserved (`eddy-retry-*`) and removed again before the handler sees the message.
 */
export interface RetryEnvelope {
  /** Consumer group the retry belongs to: the retry topic is shared by every group of the topic. */
  readonly group: string;
  /** Earliest redelivery time, epoch ms. */
  readonly dueAt: number;
  /** The delivery count the handler will see. */
  readonly deliveryCount: number;
  /** Where the message first sat, so handlers see its original position. */
  readonly partition: number;
  readonly offset: string;
  readonly publishedAt: number;
}

const PREFIX = 'eddy-retry-';
const GROUP = `${PREFIX}group`;
const DUE = `${PREFIX}due`;
const COUNT = `${PREFIX}delivery-count`;
const PARTITION = `${PREFIX}partition`;
const OFFSET = `${PREFIX}offset`;
const PUBLISHED = `${PREFIX}published-at`;

/** The message's own headers plus the retry envelope. */
export function encodeRetry(headers: Headers, envelope: RetryEnvelope): Record<string, string> {
  return {
    ...withoutRetry(headers),
    [GROUP]: envelope.group,
    [DUE]: String(envelope.dueAt),
    [COUNT]: String(envelope.deliveryCount),
    [PARTITION]: String(envelope.partition),
    [OFFSET]: envelope.offset,
    [PUBLISHED]: String(envelope.publishedAt),
  };
}

/** The envelope of a retry-topic message, or undefined when it carries none (or a damaged one). */
export function decodeRetry(headers: Headers): RetryEnvelope | undefined {
  const group = headers[GROUP];
  const offset = headers[OFFSET];
  const numbers = [headers[DUE], headers[COUNT], headers[PARTITION], headers[PUBLISHED]].map(Number);
  if (group === undefined || offset === undefined || !numbers.every(Number.isFinite)) return undefined;
  const [dueAt, deliveryCount, partition, publishedAt] = numbers as [number, number, number, number];
  return { group, dueAt, deliveryCount, partition, offset, publishedAt };
}

/** Headers without the retry envelope: what the handler sees. */
export function withoutRetry(headers: Headers): Record<string, string> {
  const result: Record<string, string> = {};
  for (const [name, value] of Object.entries(headers)) {
    if (!name.startsWith(PREFIX)) result[name] = value;
  }
  return result;
}
