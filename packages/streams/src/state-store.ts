// The StateStore port: where pipelines keep keyed state, the inputs they consumed and the outputs
// they still have to publish. This file imports nothing from the pipeline, so stores depend on it alone.

/** One stored value. Values are JSON (objects, arrays, strings, finite numbers, booleans, null). */
export interface StateEntry {
  readonly key: string;
  readonly value: unknown;
}

/** An event a pipeline produced, recorded with the state change that produced it until it is published. */
export interface PendingOutput {
  /** Event id, stable across redeliveries of the input, so consumers' dedup drops a repeat. */
  readonly id: string;
  readonly type: string;
  readonly data: unknown;
  /** Partition key. */
  readonly key?: string;
  /** Event time, ISO 8601. */
  readonly time?: string;
  readonly correlationId?: string;
  readonly causationId?: string;
  /** More CloudEvents extension attributes. */
  readonly extensions?: Readonly<Record<string, string>>;
}

/** An input event a commit consumed, and where it sat in its topic. */
export interface ConsumedInput {
  /**
   * What the store remembers the input by, and what `consumed` looks up: the pipeline passes the
   * input's position (see `inputKey`), which a redelivery of the message keeps.
   */
  readonly key: string;
  readonly topic: string;
  readonly partition: number;
  readonly offset: string;
}

/** The latest consumed position of one partition, as the store recorded it. */
export interface ConsumedPosition {
  readonly topic: string;
  readonly partition: number;
  readonly offset: string;
  /** Epoch ms of the commit that recorded it. */
  readonly committedAt: number;
}

/** What one `commit` writes. Every field is optional; deletes apply before puts. */
export interface StateCommit {
  readonly puts?: readonly StateEntry[];
  readonly deletes?: readonly string[];
  /** Inputs consumed by this change: remembered by key, and their partitions' positions advanced. */
  readonly inputs?: readonly ConsumedInput[];
  /** Outputs to keep as pending until `published` names them. */
  readonly outputs?: readonly PendingOutput[];
  /** Ids of pending outputs that were published: forgotten. */
  readonly published?: readonly string[];
}

/**
 * Keyed state of stream pipelines, grouped by namespace (one per pipeline). Values are JSON; a store
 * copies what it is given, so later changes to an object never reach the stored state.
 *
 * `commit` is the heart of it: state changes, consumed inputs and produced outputs in one call.
 * Where `atomicCommit` is true (memory, SQLite) a commit applies completely or not at all, so a
 * crash never counts an input twice nor loses an output that the state change implied.
 */
export interface StateStore {
  /** Whether `commit` is all-or-nothing across a crash. */
  readonly atomicCommit: boolean;
  /** The value under `key`, or `undefined`. */
  get(namespace: string, key: string): Promise<unknown>;
  put(namespace: string, key: string, value: unknown): Promise<void>;
  delete(namespace: string, key: string): Promise<void>;
  /** Every entry of the namespace, sorted by key. Pipelines load their state with it when they start. */
  entries(namespace: string): Promise<StateEntry[]>;
  /** Writes state, inputs and outputs of one change together. */
  commit(namespace: string, commit: StateCommit): Promise<void>;
  /** Which of `keys` a commit of this namespace already consumed (within the store's input TTL). */
  consumed(namespace: string, keys: readonly string[]): Promise<Set<string>>;
  /** Outputs committed but not yet marked published, in commit order. */
  pendingOutputs(namespace: string): Promise<PendingOutput[]>;
  /** The latest consumed position of every partition the namespace read, by topic then partition. */
  positions(namespace: string): Promise<ConsumedPosition[]>;
  /** Releases connections the store opened. Idempotent. */
  close(): Promise<void>;
}

/** How long a store remembers consumed inputs unless told otherwise, ms (24 h). */
export const DEFAULT_INPUT_TTL_MS = 86_400_000;
