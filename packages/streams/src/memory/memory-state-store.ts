import { ClosedError } from '@eddy/core/internal';
import { assertStateCommit, assertStateName, stateJson } from '../state-input.js';
import {
  DEFAULT_INPUT_TTL_MS,
  type ConsumedPosition,
  type PendingOutput,
  type StateCommit,
  type StateEntry,
  type StateStore,
} from '../state-store.js';

export interface MemoryStateStoreOptions {
  /** How long consumed inputs are remembered, ms. Default 86 400 000 (24 h). */
  readonly inputTtlMs?: number;
  /** Clock, epoch ms. Default `Date.now`. */
  readonly now?: () => number;
}

interface Space {
  readonly state: Map<string, string>;
  readonly consumed: Map<string, number>;
  readonly outputs: Map<string, PendingOutput>;
  readonly positions: Map<string, ConsumedPosition>;
}

/** A `StateStore` in process memory: commits are atomic, nothing survives the process. */
export function createMemoryStateStore(options: MemoryStateStoreOptions = {}): StateStore {
  const ttlMs = options.inputTtlMs ?? DEFAULT_INPUT_TTL_MS;
  const now = options.now ?? Date.now;
  const spaces = new Map<string, Space>();
  let closed = false;

  const space = (namespace: string): Space => {
    assertStateName(namespace, 'namespace');
    if (closed) throw new ClosedError('This memory state store');
    let found = spaces.get(namespace);
    if (found === undefined) {
      found = { state: new Map(), consumed: new Map(), outputs: new Map(), positions: new Map() };
      spaces.set(namespace, found);
    }
    return found;
  };
  // Every call settles asynchronously and reports bad input as a rejection, like the durable stores.
  const run = <T>(work: () => T): Promise<T> => {
    try {
      return Promise.resolve(work());
    } catch (error) {
      return Promise.reject(error instanceof Error ? error : new Error(String(error)));
    }
  };
  const parse = (text: string | undefined): unknown => (text === undefined ? undefined : JSON.parse(text));

  return {
    atomicCommit: true,
    get: (namespace, key) => run(() => parse(space(namespace).state.get(assertStateName(key, 'key')))),
    put: (namespace, key, value) =>
      run(() => void space(namespace).state.set(assertStateName(key, 'key'), stateJson(value, key))),
    delete: (namespace, key) => run(() => void space(namespace).state.delete(assertStateName(key, 'key'))),
    entries: (namespace) =>
      run(() =>
        [...space(namespace).state]
          .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
          .map(([key, text]): StateEntry => ({ key, value: JSON.parse(text) })),
      ),
    commit: (namespace, commit: StateCommit) =>
      run(() => {
        assertStateCommit(namespace, commit);
        const target = space(namespace);
        const at = now();
        for (const key of commit.deletes ?? []) target.state.delete(key);
        for (const { key, value } of commit.puts ?? []) target.state.set(key, JSON.stringify(value));
        for (const input of commit.inputs ?? []) {
          target.consumed.set(input.key, at);
          target.positions.set(`${input.topic}\u0000${input.partition}`, {
            topic: input.topic,
            partition: input.partition,
            offset: input.offset,
            committedAt: at,
          });
        }
        for (const output of commit.outputs ?? []) {
          target.outputs.set(output.id, JSON.parse(JSON.stringify(output)) as PendingOutput);
        }
        for (const id of commit.published ?? []) target.outputs.delete(id);
        for (const [id, consumedAt] of target.consumed) {
          // Insertion order is consumption order, so the first young entry ends the sweep.
          if (consumedAt > at - ttlMs) break;
          target.consumed.delete(id);
        }
      }),
    consumed: (namespace, keys) =>
      run(() => {
        const { consumed } = space(namespace);
        return new Set(keys.filter((key) => consumed.has(key)));
      }),
    pendingOutputs: (namespace) => run(() => [...space(namespace).outputs.values()]),
    positions: (namespace) =>
      run(() =>
        [...space(namespace).positions.values()].sort((a, b) =>
          a.topic === b.topic ? a.partition - b.partition : a.topic < b.topic ? -1 : 1,
        ),
      ),
    close() {
      closed = true;
      return Promise.resolve();
    },
  };
}
