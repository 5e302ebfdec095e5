import type { Headers } from './message.js';
import type { StartPosition, Transport } from './transport.js';

type MaybePromise<T> = T | Promise<T>;

/** One partition of a topic, as the admin reports it. */
export interface PartitionInfo {
  readonly partition: number;
  /** Oldest retained offset (the next one to be written when the partition is empty). */
  readonly firstOffset: string;
  /** Newest offset, or undefined when the partition holds no message. */
  readonly lastOffset: string | undefined;
  readonly messages: number;
  /** Stored size; 0 where the backend cannot tell cheaply. */
  readonly bytes: number;
}

export interface TopicSummary {
  readonly name: string;
  readonly partitions: number;
  readonly messages: number;
  readonly bytes: number;
  /** Retention limits in force, undefined when that limit does not apply (or the backend has none). */
  readonly retentionMs: number | undefined;
  readonly retentionMessages: number | undefined;
  readonly retentionBytes: number | undefined;
  readonly partitionInfo: readonly PartitionInfo[];
}

export interface GroupPartitionInfo {
  readonly partition: number;
  /** Every offset below this is settled (or was read, where the backend tracks reads, not acks). */
  readonly position: string;
  /** Messages at or above the position not yet acknowledged. */
  readonly lag: number;
  /** Member holding the partition, if the backend assigns partitions to members and the lease is current. */
  readonly owner: string | undefined;
  /**
   * True when retention removed messages this group had not read; the group gets
   * `EDDY_POSITION_LOST` when it next reads the partition.
   */
  readonly behindRetention: boolean;
}

export interface GroupSummary {
  readonly topic: string;
  readonly group: string;
  readonly lag: number;
  /** Members alive now. */
  readonly members: number;
  readonly partitions: readonly GroupPartitionInfo[];
}

/** A stored message as the admin reads it back (no delivery state). */
export interface StoredMessageView {
  readonly topic: string;
  readonly partition: number;
  readonly offset: string;
  readonly key: string | undefined;
  readonly headers: Headers;
  readonly payload: Uint8Array;
  readonly publishedAt: number;
  readonly deliverAt: number | undefined;
}

export interface ReadRangeOptions {
  readonly partition: number;
  /** First offset to read (inclusive). Default: the oldest retained. */
  readonly fromOffset?: string | number;
  /** Most messages returned. Default 100. */
  readonly limit?: number;
}

/** What `createTopic` may set. Limits left out (or 0) do not apply; a backend without a limit rejects it. */
export interface AdminTopicOptions {
  /** Partitions of a new topic. Default: the transport's. Cannot change once the topic exists. */
  readonly partitions?: number;
  readonly retentionMs?: number;
  readonly retentionMessages?: number;
  readonly retentionBytes?: number;
}

/**
 * Topic and group administration a log transport offers as its `admin` property: what the gateway,
 * the dashboard and the CLI read and do. Not part of the `Transport` contract, because brokers
 * without a readable log (RabbitMQ queues) cannot offer it; `adminOf` finds it where it exists.
 */
export interface TransportAdmin {
  listTopics(): MaybePromise<TopicSummary[]>;
  /** Groups of `topic`, or of every topic. */
  listGroups(topic?: string): MaybePromise<GroupSummary[]>;
  readMessages(topic: string, options: ReadRangeOptions): MaybePromise<StoredMessageView[]>;
  /** Creates a topic, or updates the retention of an existing one (partitions cannot change). */
  createTopic(name: string, options?: AdminTopicOptions): MaybePromise<void>;
  /** Moves a group to `to` on every partition: its members resume from there (replay). */
  resetGroup(topic: string, group: string, to: StartPosition): MaybePromise<void>;
  /**
   * Forgets a group: its positions and unsettled deliveries. Resolves with false when there was no
   * such group. Optional: backends without it cannot delete groups through Eddy. Callers stop the
   * group's members first; a member still subscribed recreates the group where it starts.
   */
  deleteGroup?(topic: string, group: string): MaybePromise<boolean>;
}

const ADMIN_METHODS = ['listTopics', 'listGroups', 'readMessages', 'createTopic', 'resetGroup'] as const;

/** The transport's `admin`, when it offers every `TransportAdmin` method; undefined otherwise. */
export function adminOf(transport: Transport): TransportAdmin | undefined {
  const admin = (transport as { admin?: unknown }).admin;
  if (typeof admin !== 'object' || admin === null) return undefined;
  const candidate = admin as Record<string, unknown>;
  return ADMIN_METHODS.every((method) => typeof candidate[method] === 'function')
    ? (admin as TransportAdmin)
    : undefined;
}
