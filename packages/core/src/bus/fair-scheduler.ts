import { InvalidOptionError } from '../errors/errors.js';
import { Nack } from '../errors/nack.js';
import { randomUUID } from 'node:crypto';
import { Deque } from '../shared/deque.js';
import { FAIR_STATUS_KEYS, type FairKeyStatus } from './fair-group-status.js';
import type { FairSlotStore } from './fair-slot-store.js';
import type { BusEvent } from './handler-types.js';

/**
 * Fair groups of one handler: deliveries are grouped by a key taken from the event (a tenant, a
 * customer), each group gets its own concurrency and rate, and free slots go round-robin between
 * groups, so one group with a deep backlog cannot starve the others.
 */
export interface FairGroupOptions {
  /**
   * The group of an event: a function, or a dotted path into the event — `data.<field>...`, or one
   * of the attributes `subject`, `source`, `type`, `partitionkey`. An event where the path finds
   * no string or number falls into the group `''`. Required.
   */
  readonly key: string | ((event: BusEvent) => string);
  /** Deliveries of one group running at once, a whole number >= 1. Default 1. */
  readonly concurrency?: number;
  /** Deliveries of one group started per second (token bucket, burst of one). Default unlimited. */
  readonly ratePerSecond?: number;
  /**
   * Deliveries fetched from the transport and waiting for their group's turn, plus those running.
   * Larger lets a quiet group's event in sooner behind a noisy backlog; each waiting delivery
   * counts against its `ackTimeoutMs`. Default 1 000.
   */
  readonly buffer?: number;
  /**
   * Counts each key's running deliveries for the whole consumer group, across processes, so
   * `concurrency` and `ratePerSecond` hold group-wide (e.g. `createSqliteFairSlotStore`). Without
   * it they hold per process. Default none.
   */
  readonly store?: FairSlotStore;
}

/** How long a delivery whose key has no free slot in the shared store waits before asking again, ms. */
export const SHARED_SLOT_RETRY_MS = 20;

/** Default `FairGroupOptions.buffer`. */
export const DEFAULT_FAIR_BUFFER = 1_000;

const ROOT_ATTRIBUTES = new Set(['subject', 'source', 'type', 'partitionkey']);
const PATH = /^[A-Za-z_$][\w$-]*(\.[A-Za-z_$][\w$-]*)*$/;

/** Turns `FairGroupOptions.key` into a function, refusing a path no event could have. */
export function compileGroupKey(key: FairGroupOptions['key']): (event: BusEvent) => string {
  if (typeof key === 'function') return key;
  if (typeof key !== 'string' || !PATH.test(key)) {
    throw new InvalidOptionError(
      `group.key must be a function or a dotted path such as 'data.tenant', got ${JSON.stringify(key)}.`,
    );
  }
  const [root, ...rest] = key.split('.') as [string, ...string[]];
  if (root === 'data' ? rest.length === 0 : !ROOT_ATTRIBUTES.has(root) || rest.length > 0) {
    throw new InvalidOptionError(
      `group.key "${key}" names nothing an event has: use 'data.<field>' (nested fields with dots) or one of ${[...ROOT_ATTRIBUTES].join(', ')}.`,
    );
  }
  if (root !== 'data') {
    return (event) => {
      const value = (event as unknown as Record<string, unknown>)[root];
      return typeof value === 'string' ? value : '';
    };
  }
  return (event) => {
    let value: unknown = event.data;
    for (const field of rest) {
      if (typeof value !== 'object' || value === null) return '';
      value = (value as Record<string, unknown>)[field];
    }
    return typeof value === 'string' ? value : typeof value === 'number' ? String(value) : '';
  };
}

/** `FairGroupOptions` checked, with defaults filled in. */
export interface ResolvedFairGroups {
  readonly keyOf: (event: BusEvent) => string;
  readonly concurrency: number;
  readonly ratePerSecond: number | undefined;
  readonly buffer: number;
  readonly store: FairSlotStore | undefined;
}

interface GroupState {
  running: number;
  readonly waiting: Deque<() => void>;
  tokens: number;
  refilledAt: number;
  /** In the round-robin ring. */
  queued: boolean;
}

/** Checks the options and fills in the defaults. */
export function resolveFairGroups(options: FairGroupOptions): ResolvedFairGroups {
  const { concurrency = 1, ratePerSecond, buffer = DEFAULT_FAIR_BUFFER } = options;
  if (!Number.isSafeInteger(concurrency) || concurrency < 1) {
    throw new InvalidOptionError(`group.concurrency must be a whole number >= 1, got ${concurrency}.`);
  }
  if (ratePerSecond !== undefined && (!Number.isFinite(ratePerSecond) || ratePerSecond <= 0)) {
    throw new InvalidOptionError(`group.ratePerSecond must be a number > 0, got ${ratePerSecond}.`);
  }
  if (!Number.isSafeInteger(buffer) || buffer < 1) {
    throw new InvalidOptionError(`group.buffer must be a whole number >= 1, got ${buffer}.`);
  }
  const { store } = options;
  if (
    store !== undefined &&
    (typeof store.tryAcquire !== 'function' || typeof store.release !== 'function')
  ) {
    throw new InvalidOptionError(
      'group.store must be a FairSlotStore, e.g. createSqliteFairSlotStore({ path }).',
    );
  }
  return { keyOf: compileGroupKey(options.key), concurrency, ratePerSecond, buffer, store };
}

/**
 * Hands out a handler's running slots: at most `slots` deliveries run at once, at most
 * `concurrency` (and `ratePerSecond`) per group, and a freed slot goes to the next group in turn
 * that has a delivery waiting. Groups are forgotten once idle, so keys may be unbounded.
 */
export class FairScheduler {
  readonly keyOf: (event: BusEvent) => string;
  readonly #slots: number;
  readonly #concurrency: number;
  readonly #rate: number | undefined;
  readonly #groups = new Map<string, GroupState>();
  readonly #ring = new Deque<string>();
  #running = 0;
  #timer: NodeJS.Timeout | undefined;

  readonly #store: FairSlotStore | undefined;
  /** Started deliveries per key, most recent last, so the oldest is dropped past the bound. */
  readonly #delivered = new Map<string, number>();
  readonly #scope: string;
  readonly #leaseMs: number;

  /** `scope` names the consumer group in the shared store; `leaseMs` bounds a slot held there. */
  constructor(resolved: ResolvedFairGroups, slots: number, scope: string, leaseMs: number) {
    this.keyOf = resolved.keyOf;
    this.#store = resolved.store;
    this.#scope = scope;
    this.#leaseMs = leaseMs;
    this.#slots = slots;
    this.#concurrency = resolved.concurrency;
    this.#rate = resolved.ratePerSecond;
  }

  /**
   * Waits for the key's turn here and, with a shared store, for a slot of the key there; resolves
   * with what `leave` takes. A key full in the store gives its local turn back and asks again
   * after `SHARED_SLOT_RETRY_MS`, so other keys use the slot meanwhile.
   */
  async enter(key: string, signal: AbortSignal): Promise<string | undefined> {
    for (;;) {
      await this.acquire(key, signal);
      const store = this.#store;
      if (store === undefined) {
        this.#count(key);
        return undefined;
      }
      const holder = randomUUID();
      let taken: boolean;
      try {
        taken = await store.tryAcquire(
          this.#scope,
          key,
          holder,
          this.#concurrency,
          this.#leaseMs,
          this.#rate,
        );
      } catch (error) {
        this.release(key);
        throw error;
      }
      if (taken) {
        this.#count(key);
        return holder;
      }
      this.release(key);
      await pause(SHARED_SLOT_RETRY_MS, signal);
    }
  }

  /** Keys running or waiting here, busiest first, then the idle ones with the most started. */
  keys(): FairKeyStatus[] {
    const live: FairKeyStatus[] = [];
    for (const [key, group] of this.#groups) {
      if (group.running === 0 && group.waiting.size === 0) continue;
      live.push({
        key,
        running: group.running,
        waiting: group.waiting.size,
        delivered: this.#delivered.get(key) ?? 0,
      });
    }
    live.sort((a, b) => b.running + b.waiting - (a.running + a.waiting) || a.key.localeCompare(b.key));
    const shown = new Set(live.map((status) => status.key));
    const idle = [...this.#delivered]
      .filter(([key]) => !shown.has(key))
      .map(([key, delivered]) => ({ key, running: 0, waiting: 0, delivered }))
      .sort((a, b) => b.delivered - a.delivered || a.key.localeCompare(b.key));
    return [...live, ...idle].slice(0, FAIR_STATUS_KEYS);
  }

  #count(key: string): void {
    const delivered = (this.#delivered.get(key) ?? 0) + 1;
    this.#delivered.delete(key);
    this.#delivered.set(key, delivered);
    if (this.#delivered.size > FAIR_STATUS_KEYS) {
      this.#delivered.delete(this.#delivered.keys().next().value!);
    }
  }

  /** Ends what `enter` began: the local turn, and the shared slot if any. */
  async leave(key: string, holder: string | undefined): Promise<void> {
    this.release(key);
    if (holder !== undefined) await this.#store?.release(this.#scope, key, holder);
  }

  /** Waits for the group's turn; a shutdown past its deadline (`signal`) nacks it instead. */
  acquire(key: string, signal: AbortSignal): Promise<void> {
    let group = this.#groups.get(key);
    if (group === undefined) {
      group = { running: 0, waiting: new Deque(), tokens: 1, refilledAt: Date.now(), queued: false };
      this.#groups.set(key, group);
    }
    if (group.waiting.size === 0 && this.#grantable(group, Date.now())) {
      this.#grant(group);
      return Promise.resolve();
    }
    if (signal.aborted) return Promise.reject(new Nack(0, signal.reason));
    const entry = group;
    return new Promise<void>((resolve, reject) => {
      const onAbort = (): void => {
        // Leaves its place empty; the grant of an aborted waiter is handed on at once.
        wake = () => this.release(key);
        reject(new Nack(0, signal.reason));
      };
      let wake = (): void => {
        signal.removeEventListener('abort', onAbort);
        resolve();
      };
      signal.addEventListener('abort', onAbort, { once: true });
      entry.waiting.push(() => wake());
      this.#enqueue(key, entry);
      this.#pump();
    });
  }

  release(key: string): void {
    const group = this.#groups.get(key);
    if (group === undefined) return;
    group.running -= 1;
    this.#running -= 1;
    if (group.waiting.size > 0) this.#enqueue(key, group);
    else if (group.running === 0) {
      // A group with a rate is kept until its token is back, or a fresh one would skip the wait.
      this.#refill(group, Date.now());
      if (this.#rate === undefined || group.tokens >= 1) this.#groups.delete(key);
    }
    this.#pump();
  }

  #refill(group: GroupState, now: number): void {
    if (this.#rate === undefined) return;
    group.tokens = Math.min(1, group.tokens + ((now - group.refilledAt) / 1000) * this.#rate);
    group.refilledAt = now;
  }

  #grantable(group: GroupState, now: number): boolean {
    if (this.#running >= this.#slots || group.running >= this.#concurrency) return false;
    this.#refill(group, now);
    return this.#rate === undefined || group.tokens >= 1;
  }

  #grant(group: GroupState): void {
    group.running += 1;
    this.#running += 1;
    if (this.#rate !== undefined) group.tokens -= 1;
  }

  #enqueue(key: string, group: GroupState): void {
    if (group.queued) return;
    group.queued = true;
    this.#ring.push(key);
  }

  // One pass round the ring per free slot: a group that got a slot goes to the back; one at its
  // concurrency leaves the ring until a release puts it back; one short of a token stays and sets
  // the timer for its next token.
  #pump(): void {
    const now = Date.now();
    let waitMs = Infinity;
    let skipped = 0;
    while (this.#running < this.#slots && skipped < this.#ring.size) {
      const key = this.#ring.shift()!;
      const group = this.#groups.get(key)!;
      if (group.waiting.size === 0 || group.running >= this.#concurrency) {
        group.queued = false;
        continue;
      }
      if (!this.#grantable(group, now)) {
        this.#ring.push(key);
        skipped += 1;
        waitMs = Math.min(waitMs, ((1 - group.tokens) / this.#rate!) * 1000);
        continue;
      }
      skipped = 0;
      this.#grant(group);
      const wake = group.waiting.shift()!;
      if (group.waiting.size > 0) this.#ring.push(key);
      else group.queued = false;
      wake();
    }
    if (waitMs !== Infinity && this.#timer === undefined) {
      this.#timer = setTimeout(() => {
        this.#timer = undefined;
        this.#pump();
      }, Math.ceil(waitMs));
    }
  }
}

/** Waits `ms`, or rejects with a `Nack` for immediate redelivery when `signal` aborts first. */
function pause(ms: number, signal: AbortSignal): Promise<void> {
  if (signal.aborted) return Promise.reject(new Nack(0, signal.reason));
  return new Promise<void>((resolve, reject) => {
    const onAbort = (): void => {
      clearTimeout(timer);
      reject(new Nack(0, signal.reason));
    };
    const timer = setTimeout(() => {
      signal.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    signal.addEventListener('abort', onAbort, { once: true });
  });
}
