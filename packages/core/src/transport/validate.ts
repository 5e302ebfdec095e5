import {
  InvalidHeaderError,
  InvalidOptionError,
  MessageTooLargeError,
  NotSupportedError,
} from '../errors/errors.js';
import type { TransportCapabilities } from './capabilities.js';
import { messageSizeBytes, type Headers, type OutgoingMessage } from './message.js';
import { assertGroupName, assertTopicName } from './names.js';
import { assertPublishDedupe } from './publish-dedupe.js';
import { compileSubscriptionFilter, type HeaderPredicate } from './subscription-filter.js';
import type { BatchSubscribeOptions, StartPosition, SubscribeOptions } from './transport.js';

const noop = (): void => {};

const HEADER_NAME = /^[a-z0-9][a-z0-9_.-]*$/;

/**
 * The checks every transport runs before publishing, so that bad input fails the same way on every
 * backend and nothing of a rejected batch is written.
 */
export function validatePublish(
  topic: string,
  messages: readonly OutgoingMessage[],
  capabilities: TransportCapabilities,
): void {
  assertTopicName(topic);
  const list: unknown = messages;
  if (!Array.isArray(list)) throw new InvalidOptionError('publish() takes an array of messages.');
  for (const message of messages) {
    if (!(message.payload instanceof Uint8Array)) {
      throw new InvalidOptionError('Message payload must be a Uint8Array (a Buffer is one).');
    }
    if (message.key !== undefined && typeof message.key !== 'string') {
      throw new InvalidOptionError('Message key must be a string when given.');
    }
    const { headers } = message;
    if (headers !== undefined) {
      // Keys, not entries: no [name, value] array per header on every publish.
      for (const name of Object.keys(headers)) {
        const value: unknown = headers[name];
        if (!HEADER_NAME.test(name)) {
          throw new InvalidHeaderError(
            `Header name "${name}" is invalid: use lower-case letters, digits, ".", "_" and "-".`,
          );
        }
        if (typeof value !== 'string')
          throw new InvalidHeaderError(`Header "${name}" must have a string value.`);
      }
    }
    if (message.deliverAt !== undefined) {
      if (!capabilities.delayedDelivery) {
        throw new NotSupportedError(
          'This transport does not support delayed delivery (deliverAt). Check transport.capabilities.delayedDelivery.',
        );
      }
      if (!Number.isFinite(message.deliverAt))
        throw new InvalidOptionError('deliverAt must be epoch milliseconds.');
    }
    if (message.dedupe !== undefined) {
      if (capabilities.publishDedupe !== true) {
        throw new NotSupportedError(
          'This transport does not support publish-time dedupe (dedupe). Check transport.capabilities.publishDedupe, or dedupe on the consumer side (dedup by event id).',
        );
      }
      assertPublishDedupe(message.dedupe);
    }
    const size = messageSizeBytes(message);
    if (size > capabilities.maxMessageBytes)
      throw new MessageTooLargeError(size, capabilities.maxMessageBytes);
  }
}

/** Subscribe options with every default filled in. */
export interface ResolvedSubscribeOptions {
  readonly group: string;
  readonly from: StartPosition;
  readonly maxInFlight: number;
  readonly ackTimeoutMs: number;
  readonly nackDelayMs: number;
  /** The checked `filter`, or undefined when every message goes to the handler. */
  readonly filter: HeaderPredicate | undefined;
  readonly onFiltered: (headers: Headers) => void;
  readonly onSuperseded: (headers: Headers) => void;
}

export const DEFAULT_MAX_IN_FLIGHT = 16;
export const DEFAULT_ACK_TIMEOUT_MS = 30_000;

/** `maxBatchSize` of `subscribeBatch` checked, defaulting to the subscription's `maxInFlight`. */
export function resolveMaxBatchSize(options: BatchSubscribeOptions, maxInFlight: number): number {
  return positiveInteger('maxBatchSize', options.maxBatchSize ?? maxInFlight);
}

function positiveInteger(name: string, value: number): number {
  if (!Number.isInteger(value) || value < 1)
    throw new InvalidOptionError(`${name} must be a positive integer, got ${value}.`);
  return value;
}

function nonNegative(name: string, value: number): number {
  if (!Number.isFinite(value) || value < 0)
    throw new InvalidOptionError(`${name} must be >= 0, got ${value}.`);
  return value;
}

/**
 * Validates topic, group and options, and fills in the documented defaults. Given the transport's
 * `capabilities`, it also refuses, with `NotSupportedError`, what the backend declares it cannot do
 * (a start at offsets or at a time, a redelivery delay), so no transport ignores such a request
 * silently. `'earliest'` is always accepted: it means the oldest message the backend still holds
 * for a new group, which on a queue broker is the first one published after the group exists.
 */
export function resolveSubscribeOptions(
  topic: string,
  options: SubscribeOptions,
  capabilities?: TransportCapabilities,
): ResolvedSubscribeOptions {
  assertTopicName(topic);
  assertGroupName(options.group);
  const from = options.from ?? 'latest';
  if (typeof from === 'object' && 'time' in from && !Number.isFinite(from.time)) {
    throw new InvalidOptionError('from.time must be epoch milliseconds.');
  }
  const resolved = {
    group: options.group,
    from,
    maxInFlight: positiveInteger('maxInFlight', options.maxInFlight ?? DEFAULT_MAX_IN_FLIGHT),
    ackTimeoutMs: positiveInteger('ackTimeoutMs', options.ackTimeoutMs ?? DEFAULT_ACK_TIMEOUT_MS),
    nackDelayMs: nonNegative('nackDelayMs', options.nackDelayMs ?? 0),
    filter: options.filter === undefined ? undefined : compileSubscriptionFilter(options.filter),
    onFiltered: options.onFiltered ?? noop,
    onSuperseded: options.onSuperseded ?? noop,
  };
  if (capabilities !== undefined) refuseUnsupported(resolved, capabilities);
  return resolved;
}

function refuseUnsupported(options: ResolvedSubscribeOptions, capabilities: TransportCapabilities): void {
  const { from } = options;
  if (typeof from === 'object' && 'positions' in from && !capabilities.replay) {
    throw new NotSupportedError(
      "This transport cannot start a group at given offsets (capabilities.replay is false). Use from: 'latest' or " +
        "'earliest'; a new group then receives what is published after it subscribed.",
    );
  }
  if (typeof from === 'object' && 'time' in from && !capabilities.replayFromTime) {
    throw new NotSupportedError(
      "This transport cannot start a group at a point in time (capabilities.replayFromTime is false). Use from: 'latest' " +
        "or 'earliest'; a new group then receives what is published after it subscribed.",
    );
  }
  if (options.filter !== undefined && !capabilities.filtering) {
    throw new NotSupportedError(
      'This transport does not filter messages itself (capabilities.filtering is false): leave filter out and ' +
        'filter in the subscriber (the bus does, with the handler option filter).',
    );
  }
  if (options.nackDelayMs > 0 && !capabilities.nackDelay) {
    throw new NotSupportedError(
      'This transport cannot delay a redelivery (capabilities.nackDelay is false): leave nackDelayMs at 0, and let ' +
        "the bus's retry middleware wait in the process instead.",
    );
  }
}
