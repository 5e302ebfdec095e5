import { InvalidOptionError } from '../errors/errors.js';
import type { OutgoingMessage, Position } from '../transport/message.js';
import { partitionForKey } from '../transport/partitioner.js';
import type { StartPosition } from '../transport/transport.js';
import { MemoryGroup } from './memory-group.js';
import { decideDedupe, DEDUPE_HEADER, type DedupeDecision } from '../transport/publish-dedupe.js';
import { TopicLog } from './memory-log.js';
import { DedupeCounters, dedupeKeysLimit, type DedupeKeyView } from '../transport/dedupe-view.js';
import { copyBytes } from './copy-bytes.js';

export interface MemoryBrokerOptions {
  /** Partitions of every topic; keys map to partitions with `partitionForKey`. Default 4. */
  readonly partitions?: number;
}

const OFFSET_PATTERN = /^\d+$/;

/**
 * The shared state behind memory transports: topics, their messages and consumer groups. Give one
 * broker to several `createMemoryTransport` calls to play several processes in one test. Nothing
 * is ever removed: a broker lives as long as the test that made it.
 */
export class MemoryBroker {
  readonly partitions: number;
  private readonly topics = new Map<string, TopicLog>();
  private readonly groups = new Map<string, Map<string, MemoryGroup>>();
  /** Dedupe decisions of every transport on this broker: the broker plays the shared store. */
  readonly dedupeCounters = new DedupeCounters();

  constructor(options: MemoryBrokerOptions = {}) {
    const partitions = options.partitions ?? 4;
    if (!Number.isInteger(partitions) || partitions < 1) {
      throw new InvalidOptionError(`partitions must be a positive integer, got ${partitions}.`);
    }
    this.partitions = partitions;
  }

  /** Appends already validated messages and wakes the topic's groups. */
  append(topic: string, messages: readonly OutgoingMessage[]): Position[] {
    const log = this.topic(topic);
    const publishedAt = log.nextPublishedAt();
    const positions = messages.map((message) => {
      let deliverAt = message.deliverAt;
      let headers = message.headers;
      let decision: DedupeDecision | undefined;
      const { dedupe } = message;
      if (dedupe !== undefined) {
        decision = decideDedupe(dedupe, log.dedupe.get(dedupe.key), deliverAt, Date.now());
        this.dedupeCounters.count(topic, dedupe, decision);
        if (decision.kind === 'drop') return decision.position;
        deliverAt = decision.deliverAt;
        if (dedupe.mode !== undefined && dedupe.mode !== 'drop') {
          headers = { ...headers, [DEDUPE_HEADER]: dedupe.key };
        }
        if (decision.supersedes !== undefined) {
          const earlier = log.entry(decision.supersedes);
          if (earlier !== undefined) earlier.superseded = true;
        }
      }
      const partition =
        message.key === undefined
          ? log.roundRobin++ % this.partitions
          : partitionForKey(message.key, this.partitions);
      const position = log.append({
        topic,
        partition,
        offset: log.partitions[partition]!.length,
        key: message.key,
        // Copies, so a producer reusing its buffers cannot change what was published. Not frozen:
        // V8 reads a frozen object's keys and properties several times slower (a decode of each
        // delivery enumerates them), and each delivery gets a copy of its own anyway.
        headers: { ...headers },
        payload: copyBytes(message.payload),
        publishedAt,
        deliverAt,
        superseded: false,
      });
      if (dedupe !== undefined && decision?.kind === 'append') {
        log.dedupe.set(dedupe.key, {
          position,
          firstAt: decision.firstAt,
          expiresAt: decision.expiresAt,
          deliverAt,
        });
      }
      return position;
    });
    for (const group of this.groups.get(topic)?.values() ?? []) group.dispatch();
    return positions;
  }

  /** The live dedupe keys of `topic`, soonest due first. */
  dedupeKeys(topic: string, limit?: number): DedupeKeyView[] {
    const now = Date.now();
    const keys: DedupeKeyView[] = [];
    for (const [key, record] of this.topics.get(topic)?.dedupe ?? []) {
      if (record.expiresAt <= now) continue;
      keys.push({
        key,
        partition: record.position.partition,
        offset: record.position.offset,
        firstAt: record.firstAt,
        dueAt: record.deliverAt,
        expiresAt: record.expiresAt,
      });
    }
    return keys.sort(byDue).slice(0, dedupeKeysLimit(limit));
  }

  /** The group's shared state; `from` only matters when this call creates the group. */
  group(topic: string, name: string, from: StartPosition): MemoryGroup {
    const log = this.topic(topic);
    let groups = this.groups.get(topic);
    if (groups === undefined) {
      groups = new Map();
      this.groups.set(topic, groups);
    }
    let group = groups.get(name);
    if (group === undefined) {
      group = new MemoryGroup(log, this.startOffsets(log, from));
      groups.set(name, group);
    }
    return group;
  }

  /** Rejects start positions that cannot exist on this broker, whether or not the group is new. */
  checkStartPosition(from: StartPosition): void {
    if (typeof from !== 'object' || !('positions' in from)) return;
    for (const position of from.positions) {
      if (!Number.isInteger(position.partition) || position.partition < 0) {
        throw new InvalidOptionError(
          `Start position partition must be an integer >= 0, got ${position.partition}.`,
        );
      }
      if (position.partition >= this.partitions) {
        throw new InvalidOptionError(
          `Start position partition ${position.partition} does not exist: topics on this broker have ${this.partitions} partitions.`,
        );
      }
      if (!OFFSET_PATTERN.test(position.offset)) {
        throw new InvalidOptionError(
          `Start position offset "${position.offset}" is not a memory transport offset; use one returned by publish().`,
        );
      }
    }
  }

  private topic(name: string): TopicLog {
    let log = this.topics.get(name);
    if (log === undefined) {
      log = new TopicLog(name, this.partitions);
      this.topics.set(name, log);
    }
    return log;
  }

  private startOffsets(log: TopicLog, from: StartPosition): number[] {
    if (from === 'earliest') return log.partitions.map(() => 0);
    if (from === 'latest') return log.partitions.map((entries) => entries.length);
    if ('time' in from) return log.offsetsAtTime(from.time);
    const offsets = log.partitions.map(() => 0);
    for (const position of from.positions) offsets[position.partition] = Number(position.offset);
    return offsets;
  }
}

/** Soonest due first; a key due at once sorts by when its record expires. */
export function byDue(a: DedupeKeyView, b: DedupeKeyView): number {
  return (a.dueAt ?? a.expiresAt) - (b.dueAt ?? b.expiresAt) || a.key.localeCompare(b.key);
}
