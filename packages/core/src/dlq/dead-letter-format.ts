import { decodeHeaderValue, encodeHeaderValue } from '../cloudevents/header-value.js';
import type { Headers } from '../transport/message.js';

/**
 * Headers the dead-letter middleware adds to a dead-lettered message. The original headers and
 * payload travel unchanged next to them, so a redrive republishes exactly what was received.
 */
export const DeadLetterHeaders = {
  errorMessage: 'eddy-dlq-error-message',
  errorName: 'eddy-dlq-error-name',
  errorCode: 'eddy-dlq-error-code',
  errorStack: 'eddy-dlq-error-stack',
  attempts: 'eddy-dlq-attempts',
  firstFailureAt: 'eddy-dlq-first-failure-at',
  lastFailureAt: 'eddy-dlq-last-failure-at',
  topic: 'eddy-dlq-topic',
  partition: 'eddy-dlq-partition',
  offset: 'eddy-dlq-offset',
  handler: 'eddy-dlq-handler',
  group: 'eddy-dlq-group',
} as const;

/**
 * Set on a redriven message: only the handler whose consumer group is named here processes it;
 * the topic's other groups acknowledge and skip it, as they handled the original already.
 */
export const REDRIVE_GROUP_HEADER = 'eddy-redrive-group';

const PREFIX = 'eddy-dlq-';

/** What the dead-letter middleware knows about a failure. */
export interface DeadLetterMetadata {
  readonly errorName: string;
  readonly errorMessage: string;
  /** Bounded to the middleware's `maxStackChars`. */
  readonly errorStack: string | undefined;
  /**
   * The error's string `code` when it has one: an `EddyError` code (`EDDY_SCHEMA_VIOLATION`) or a
   * Node system error code (`ECONNREFUSED`). Absent on entries dead-lettered by older releases.
   */
  readonly errorCode?: string;
  readonly attempts: number;
  /** Epoch ms. Tracked in process memory: after a restart, the first failure this process saw. */
  readonly firstFailureAt: number;
  readonly lastFailureAt: number;
  readonly topic: string;
  readonly partition: number;
  readonly offset: string;
  readonly handler: string;
  readonly group: string;
}

/** The error fields of the metadata, from whatever a handler threw. */
export function describeFailure(
  error: unknown,
  maxStackChars: number,
): Pick<DeadLetterMetadata, 'errorName' | 'errorMessage' | 'errorStack' | 'errorCode'> {
  const err = error instanceof Error ? error : undefined;
  const code = (error as { code?: unknown } | null | undefined)?.code;
  return {
    errorName: err?.name ?? typeof error,
    errorMessage: err?.message ?? String(error),
    errorStack: err?.stack?.slice(0, maxStackChars),
    ...(typeof code === 'string' && code !== '' ? { errorCode: code } : {}),
  };
}

/** Original headers (minus redrive routing) plus the dead-letter metadata. */
export function deadLetterHeaders(original: Headers, metadata: DeadLetterMetadata): Record<string, string> {
  const headers: Record<string, string> = {};
  for (const [name, value] of Object.entries(original)) {
    if (!name.startsWith(PREFIX) && name !== REDRIVE_GROUP_HEADER) headers[name] = value;
  }
  headers[DeadLetterHeaders.errorName] = encodeHeaderValue(metadata.errorName);
  headers[DeadLetterHeaders.errorMessage] = encodeHeaderValue(metadata.errorMessage);
  if (metadata.errorCode !== undefined) {
    headers[DeadLetterHeaders.errorCode] = encodeHeaderValue(metadata.errorCode);
  }
  if (metadata.errorStack !== undefined) {
    headers[DeadLetterHeaders.errorStack] = encodeHeaderValue(metadata.errorStack);
  }
  headers[DeadLetterHeaders.attempts] = String(metadata.attempts);
  headers[DeadLetterHeaders.firstFailureAt] = new Date(metadata.firstFailureAt).toISOString();
  headers[DeadLetterHeaders.lastFailureAt] = new Date(metadata.lastFailureAt).toISOString();
  headers[DeadLetterHeaders.topic] = metadata.topic;
  headers[DeadLetterHeaders.partition] = String(metadata.partition);
  headers[DeadLetterHeaders.offset] = encodeHeaderValue(metadata.offset);
  headers[DeadLetterHeaders.handler] = encodeHeaderValue(metadata.handler);
  headers[DeadLetterHeaders.group] = metadata.group;
  return headers;
}

/** Splits a dead-lettered message's headers into the original headers and the metadata. */
export function parseDeadLetterHeaders(
  headers: Headers,
): { original: Record<string, string>; metadata: DeadLetterMetadata } | undefined {
  const get = (name: string): string | undefined => {
    const value = headers[name];
    return value === undefined ? undefined : decodeHeaderValue(value);
  };
  const topic = get(DeadLetterHeaders.topic);
  if (topic === undefined) return undefined;
  const errorCode = get(DeadLetterHeaders.errorCode);
  const original: Record<string, string> = {};
  for (const [name, value] of Object.entries(headers)) {
    if (!name.startsWith(PREFIX)) original[name] = value;
  }
  return {
    original,
    metadata: {
      errorName: get(DeadLetterHeaders.errorName) ?? 'Error',
      errorMessage: get(DeadLetterHeaders.errorMessage) ?? '',
      errorStack: get(DeadLetterHeaders.errorStack),
      ...(errorCode === undefined ? {} : { errorCode }),
      attempts: Number(get(DeadLetterHeaders.attempts) ?? 0),
      firstFailureAt: Date.parse(get(DeadLetterHeaders.firstFailureAt) ?? ''),
      lastFailureAt: Date.parse(get(DeadLetterHeaders.lastFailureAt) ?? ''),
      topic,
      partition: Number(get(DeadLetterHeaders.partition) ?? 0),
      offset: get(DeadLetterHeaders.offset) ?? '',
      handler: get(DeadLetterHeaders.handler) ?? '',
      group: get(DeadLetterHeaders.group) ?? '',
    },
  };
}
