import {
  type EddyError,
  type MessageHandler,
  type OutgoingMessage,
  type Position,
  type ReceivedMessage,
  type SubscribeOptions,
  type Subscription,
  type Transport,
  type TransportCapabilities,
  isEddyError,
} from '@eddy/core';
import { afterEach, expect } from 'vitest';
import { createGate, type Gate } from '../gate.js';
import type { TransportConformanceOptions } from '../options.js';
import { waitFor } from '../wait-for.js';

const encoder = new TextEncoder();
const decoder = new TextDecoder();

/** UTF-8 bytes of `text`. */
export function bytes(text: string): Uint8Array {
  return encoder.encode(text);
}

/** A received payload as text. */
export function textOf(message: { readonly payload: Uint8Array }): string {
  return decoder.decode(message.payload);
}

/** Text messages, optionally all with one key. */
export function textMessages(texts: readonly string[], key?: string): OutgoingMessage[] {
  return texts.map((text) => (key === undefined ? { payload: bytes(text) } : { key, payload: bytes(text) }));
}

/** `prefix-0` .. `prefix-(count-1)`. */
export function numbered(prefix: string, count: number): string[] {
  return Array.from({ length: count }, (_, i) => `${prefix}-${i}`);
}

/** A received message with the local time it reached the handler. */
export interface Received {
  readonly message: ReceivedMessage;
  readonly text: string;
  readonly at: number;
}

/** Records everything a subscription's handler receives; acks unless told otherwise. */
export class Collector {
  readonly received: Received[] = [];

  constructor(private readonly react?: (message: ReceivedMessage, text: string) => Promise<void> | void) {}

  readonly handler: MessageHandler = (message) => {
    const text = textOf(message);
    this.received.push({ message, text, at: Date.now() });
    return this.react?.(message, text);
  };

  texts(): string[] {
    return this.received.map((entry) => entry.text);
  }

  distinct(): Set<string> {
    return new Set(this.texts());
  }

  count(text: string): number {
    return this.received.filter((entry) => entry.text === text).length;
  }

  has(text: string): boolean {
    return this.received.some((entry) => entry.text === text);
  }

  /** Waits until every text in `texts` was received at least once. */
  async waitForAll(texts: readonly string[], timeoutMs = 15_000): Promise<void> {
    await waitFor(
      () => {
        const seen = this.distinct();
        return texts.every((text) => seen.has(text));
      },
      {
        timeoutMs,
        description: () => {
          const seen = this.distinct();
          const missing = texts.filter((text) => !seen.has(text));
          return `${missing.length} of ${texts.length} messages (first missing: ${missing.slice(0, 3).join(', ')})`;
        },
      },
    );
  }
}

/** Messages the bulk case publishes unless a backend states why it needs fewer. */
export const DEFAULT_BULK_MESSAGES = 100_000;

/** Per-test resources: transports, unique names and gates, all released after each test. */
export class Harness {
  /** Capabilities of the transport under test, read once before the tests are registered. */
  capabilities!: TransportCapabilities;
  /** Whether the transport offers `subscribeBatch`, read with the capabilities. */
  batchDelivery = false;
  /** Backend name shown in the test names. */
  readonly name: string;
  readonly ackTimeoutMs: number;
  /** Messages of the bulk case, and why fewer than the default when so. */
  readonly bulk: { readonly messages: number; readonly reason: string | undefined };
  private readonly runId = Math.random().toString(36).slice(2, 8);
  private counter = 0;
  private transports: Transport[] = [];
  private gates: Gate[] = [];

  constructor(private readonly options: TransportConformanceOptions) {
    this.name = options.name;
    this.ackTimeoutMs = options.ackTimeoutMs ?? 1000;
    this.bulk = options.bulk ?? { messages: DEFAULT_BULK_MESSAGES, reason: undefined };
  }

  /** Registers the per-test cleanup; call inside the suite's `describe`. */
  install(): void {
    afterEach(async () => {
      // Open every gate first, so handlers still held by a failed test let close() drain.
      for (const gate of this.gates) gate.open();
      this.gates = [];
      await this.closeAll();
    });
  }

  /** Closes every transport opened so far (later `open()` calls start a new set). */
  async closeAll(): Promise<void> {
    const transports = this.transports;
    this.transports = [];
    await Promise.all(transports.map((transport) => transport.close()));
  }

  /** A new transport instance on the backend under test, closed after the test. */
  async open(): Promise<Transport> {
    const transport = await this.options.createTransport();
    this.transports.push(transport);
    return transport;
  }

  /** A gate opened automatically after the test. */
  gate(): Gate {
    const gate = createGate();
    this.gates.push(gate);
    return gate;
  }

  topic(): string {
    this.counter += 1;
    return `conf-${this.runId}-t${this.counter}`;
  }

  group(): string {
    this.counter += 1;
    return `conf-${this.runId}-g${this.counter}`;
  }

  /** Subscribes a new collector. */
  async collect(
    transport: Transport,
    topic: string,
    options: SubscribeOptions,
    react?: (message: ReceivedMessage, text: string) => Promise<void> | void,
  ): Promise<{ collector: Collector; subscription: Subscription }> {
    const collector = new Collector(react);
    const subscription = await transport.subscribe(topic, options, collector.handler);
    return { collector, subscription };
  }

  /** Publishes a uniquely named marker and waits until `collector` has it. */
  async sentinel(transport: Transport, topic: string, collector: Collector, key?: string): Promise<string> {
    this.counter += 1;
    const text = `sentinel-${this.runId}-${this.counter}`;
    await transport.publish(topic, textMessages([text], key));
    await collector.waitForAll([text]);
    return text;
  }
}

/** The code of a rejection, failing the test unless it is a typed `EddyError`. */
export async function rejectionCode(promise: Promise<unknown>): Promise<string> {
  const outcome = await promise.then(
    () => ({ resolved: true as const }),
    (error: unknown) => ({ resolved: false as const, error }),
  );
  expect(outcome.resolved, 'expected the call to reject').toBe(false);
  const error = outcome.resolved ? undefined : outcome.error;
  expect(isEddyError(error), `expected an EddyError, got: ${String(error)}`).toBe(true);
  return (error as EddyError).code;
}

/** Positions keyed as `partition:offset`, to compare and count them. */
export function positionKey(position: Position): string {
  return `${position.partition}:${position.offset}`;
}

/** Lets other callbacks run without waiting on the clock. */
export function yieldToEventLoop(): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve));
}
