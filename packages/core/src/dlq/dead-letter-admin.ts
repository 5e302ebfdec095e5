import { decodeCloudEvent } from '../cloudevents/codec.js';
import type { CloudEvent } from '../cloudevents/cloud-event.js';
import { InvalidOptionError } from '../errors/errors.js';
import type { Position } from '../transport/message.js';
import { assertTopicName } from '../transport/names.js';
import type { Transport } from '../transport/transport.js';
import {
  parseDeadLetterHeaders,
  REDRIVE_GROUP_HEADER,
  type DeadLetterMetadata,
} from './dead-letter-format.js';
import { readWholeTopic } from './topic-reader.js';

/** One dead-lettered delivery. */
export interface DeadLetterEntry {
  /** `<partition>:<offset>` in the dead-letter topic; stable, used to inspect, redrive or purge it. */
  readonly id: string;
  readonly deadLetterTopic: string;
  readonly position: Position;
  /** When it was dead-lettered, epoch ms. */
  readonly deadLetteredAt: number;
  readonly key: string | undefined;
  /** The original message's headers and payload, as received. */
  readonly headers: Readonly<Record<string, string>>;
  readonly payload: Uint8Array;
  /** The original event, or undefined when it could not be decoded (that may be why it is here). */
  readonly event: CloudEvent | undefined;
  readonly metadata: DeadLetterMetadata;
}

/** Which entries an operation applies to: all, the given ids, or those a predicate accepts. */
export type DeadLetterSelection =
  'all' | { readonly ids: readonly string[] } | { readonly filter: (entry: DeadLetterEntry) => boolean };

export interface DeadLetterAdminOptions {
  readonly transport: Transport;
  /** Reading a dead-letter topic ends after this long without a new message, ms. Default 250. */
  readonly idleMs?: number;
  /** Reading a dead-letter topic ends after this long in any case, ms. Default 30 000. */
  readonly maxWaitMs?: number;
}

export interface DeadLetterAdmin {
  /** Entries still in the queue (neither redriven nor purged), oldest first per partition. */
  list(deadLetterTopic: string, selection?: DeadLetterSelection): Promise<DeadLetterEntry[]>;
  inspect(deadLetterTopic: string, id: string): Promise<DeadLetterEntry | undefined>;
  /**
   * Republishes the selected entries to their original topics, with their original key, headers
   * and payload, addressed to the handler that failed (other consumer groups of that topic skip
   * them). Returns how many were redriven.
   */
  redrive(deadLetterTopic: string, selection?: DeadLetterSelection): Promise<number>;
  /** Drops the selected entries from the queue. Returns how many. */
  purge(deadLetterTopic: string, selection?: DeadLetterSelection): Promise<number>;
}

/** Topic where an admin records which entries of `deadLetterTopic` were settled. */
export function resolvedTopicOf(deadLetterTopic: string): string {
  return `${deadLetterTopic}.resolved`;
}

interface ResolvedRecord {
  readonly action: 'redriven' | 'purged';
  readonly ids: readonly string[];
  readonly at: number;
}

/**
 * Dead-letter queue administration over any transport with replay. Transports cannot delete
 * messages through the contract, so the queue is event-sourced: the dead-letter topic is
 * append-only and redrive/purge append "settled" records to `<dead-letter topic>.resolved`;
 * listing reads both. Two admins acting on the same entry at once may redrive it twice, which
 * handler dedup absorbs.
 */
export function createDeadLetterAdmin(options: DeadLetterAdminOptions): DeadLetterAdmin {
  const { transport } = options;
  const read = { idleMs: options.idleMs ?? 250, maxWaitMs: options.maxWaitMs ?? 30_000 };

  const load = async (deadLetterTopic: string): Promise<DeadLetterEntry[]> => {
    assertTopicName(deadLetterTopic);
    const [messages, resolvedMessages] = await Promise.all([
      readWholeTopic(transport, deadLetterTopic, read),
      readWholeTopic(transport, resolvedTopicOf(deadLetterTopic), read),
    ]);
    const settled = new Set<string>();
    for (const message of resolvedMessages) {
      const record = JSON.parse(Buffer.from(message.payload).toString('utf8')) as ResolvedRecord;
      for (const id of record.ids) settled.add(id);
    }
    const entries: DeadLetterEntry[] = [];
    for (const message of messages) {
      const id = `${message.partition}:${message.offset}`;
      const parsed = parseDeadLetterHeaders(message.headers);
      if (parsed === undefined || settled.has(id)) continue;
      let event: CloudEvent | undefined;
      try {
        event = decodeCloudEvent({ headers: parsed.original, payload: message.payload });
      } catch {
        event = undefined;
      }
      entries.push({
        id,
        deadLetterTopic,
        position: { partition: message.partition, offset: message.offset },
        deadLetteredAt: message.publishedAt,
        key: message.key,
        headers: parsed.original,
        payload: message.payload,
        event,
        metadata: parsed.metadata,
      });
    }
    return entries.sort((a, b) => a.position.partition - b.position.partition || compareOffsets(a, b));
  };

  const select = async (
    deadLetterTopic: string,
    selection: DeadLetterSelection,
  ): Promise<DeadLetterEntry[]> => {
    const entries = await load(deadLetterTopic);
    if (selection === 'all') return entries;
    if ('ids' in selection) {
      const ids = new Set(selection.ids);
      return entries.filter((entry) => ids.has(entry.id));
    }
    if (typeof selection.filter !== 'function') {
      throw new InvalidOptionError("selection must be 'all', { ids } or { filter }.");
    }
    return entries.filter(selection.filter);
  };

  const settle = async (
    deadLetterTopic: string,
    action: ResolvedRecord['action'],
    ids: string[],
  ): Promise<void> => {
    if (ids.length === 0) return;
    const record: ResolvedRecord = { action, ids, at: Date.now() };
    await transport.publish(resolvedTopicOf(deadLetterTopic), [
      { headers: { 'content-type': 'application/json' }, payload: Buffer.from(JSON.stringify(record)) },
    ]);
  };

  return {
    list: (deadLetterTopic, selection = 'all') => select(deadLetterTopic, selection),
    async inspect(deadLetterTopic, id) {
      return (await load(deadLetterTopic)).find((entry) => entry.id === id);
    },
    async redrive(deadLetterTopic, selection = 'all') {
      const entries = await select(deadLetterTopic, selection);
      for (const entry of entries) {
        await transport.publish(entry.metadata.topic, [
          {
            headers: { ...entry.headers, [REDRIVE_GROUP_HEADER]: entry.metadata.group },
            payload: entry.payload,
            ...(entry.key === undefined ? {} : { key: entry.key }),
          },
        ]);
        // Settled one by one so a failure half-way leaves exactly the rest in the queue.
        await settle(deadLetterTopic, 'redriven', [entry.id]);
      }
      return entries.length;
    },
    async purge(deadLetterTopic, selection = 'all') {
      const entries = await select(deadLetterTopic, selection);
      await settle(
        deadLetterTopic,
        'purged',
        entries.map((entry) => entry.id),
      );
      return entries.length;
    },
  };
}

function compareOffsets(a: DeadLetterEntry, b: DeadLetterEntry): number {
  const x = a.position.offset;
  const y = b.position.offset;
  // Offsets are opaque strings; numeric ones compare as numbers so "10" sorts after "9".
  if (/^\d+$/.test(x) && /^\d+$/.test(y)) return x.length - y.length || (x < y ? -1 : x > y ? 1 : 0);
  return x < y ? -1 : x > y ? 1 : 0;
}
