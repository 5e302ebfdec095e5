import { randomUUID } from 'node:crypto';
import { hostname } from 'node:os';
import { InvalidOptionError, TimeoutError } from '../errors/errors.js';
import { isEddyError } from '../errors/eddy-error.js';
import { backoffDelayMs } from '../shared/backoff.js';
import { silentLogger } from '../observability/logger.js';
import { endSpan, tracerFrom } from '../observability/tracing.js';
import type { OutgoingMessage } from '../transport/message.js';
import { fairShare } from './lane-share.js';
import type { OutboxRelayOptions, ResolvedRelayOptions } from './outbox-relay-options.js';
import type { OutboxRecord } from './outbox-store.js';
import { startRelaySpan } from './outbox-tracing.js';
import { classifyRowFailure, rowErrorText } from './row-failure.js';

/** A running relay. */
export interface OutboxRelay {
  /** This relay's lease owner name. */
  readonly owner: string;
  /** Lanes it holds right now. */
  heldLanes(): readonly number[];
  /** Checks the held lanes now instead of at the next poll (e.g. right after a commit). */
  wake(): void;
  /**
   * Stops taking new batches, waits for the ones being published, and gives the lanes back so
   * another relay takes them at once. Idempotent.
   */
  stop(): Promise<void>;
}

function positive(name: string, value: number | undefined, fallback: number, allowZero = false): number {
  const resolved = value ?? fallback;
  if (!Number.isFinite(resolved) || resolved < 0 || (!allowZero && resolved === 0)) {
    throw new InvalidOptionError(
      `${name} must be a ${allowZero ? 'non-negative' : 'positive'} number, got ${resolved}.`,
    );
  }
  return resolved;
}

function maxAttempts(value: number | undefined): number {
  const resolved = value ?? 10;
  if (resolved !== Infinity && (!Number.isInteger(resolved) || resolved < 1)) {
    throw new InvalidOptionError(`maxAttempts must be a positive integer or Infinity, got ${resolved}.`);
  }
  return resolved;
}

function resolve(options: OutboxRelayOptions): ResolvedRelayOptions {
  const leaseMs = positive('leaseMs', options.leaseMs, 10_000);
  return {
    batchSize: Math.floor(positive('batchSize', options.batchSize, 100)),
    leaseMs,
    pollIntervalMs: positive('pollIntervalMs', options.pollIntervalMs, 500),
    concurrency: Math.floor(positive('concurrency', options.concurrency, 4)),
    maxLanes:
      options.maxLanes === undefined ? undefined : Math.floor(positive('maxLanes', options.maxLanes, 1)),
    baseDelayMs: positive('retry.baseDelayMs', options.retry?.baseDelayMs, 100),
    maxDelayMs: positive('retry.maxDelayMs', options.retry?.maxDelayMs, 10_000),
    publishTimeoutMs: positive('publishTimeoutMs', options.publishTimeoutMs, leaseMs / 2),
    deleteAfterPublish: (options.afterPublish ?? 'mark') === 'delete',
    maxAttempts: maxAttempts(options.maxAttempts),
    retentionMs: positive('retentionMs', options.retentionMs, 86_400_000, true),
    cleanupIntervalMs: positive('cleanupIntervalMs', options.cleanupIntervalMs, 60_000, true),
  };
}

function withTimeout<T>(work: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(
      () =>
        reject(
          new TimeoutError(`${what} did not settle within ${ms} ms; the rows stay pending and are retried.`),
        ),
      ms,
    );
  });
  return Promise.race([work, timeout]).finally(() => clearTimeout(timer));
}

/**
 * Starts a relay: it leases lanes of the outbox, publishes each lane's pending rows in order to the
 * transport, and marks them published. Failures back off and retry; a row that can never be
 * published, or fails `maxAttempts` times, is set aside (`store.markFailed`) so its lane goes on.
 * Rows are never dropped.
 * Several relays (in one or many processes) share the lanes through leases.
 */
export function startOutboxRelay(options: OutboxRelayOptions): OutboxRelay {
  const settings = resolve(options);
  const { store, transport } = options;
  const owner = options.owner ?? `${hostname()}:${process.pid}:${randomUUID().slice(0, 8)}`;
  const logger = options.logger ?? silentLogger;
  const tracer = tracerFrom(options.tracerProvider);
  const held = new Set<number>();
  const busy = new Set<number>();
  const attempts = new Map<number, number>();
  const backoffUntil = new Map<number, number>();
  // Per lane: the row that failed alone last, and how many times in a row.
  const rowFailures = new Map<number, { readonly id: number; readonly count: number }>();
  // Work on a lane starts only while its lease has a safety margin left: a relay stalled past its
  // lease must not publish a batch that the lane's next owner is publishing too.
  let leaseValidUntil = 0;
  let running = true;
  let wakeRequested = true;
  let wakeWaiter: (() => void) | undefined;
  let claimAttempts = 0;
  let lastCleanupAt = 0;

  const wake = (): void => {
    wakeRequested = true;
    const waiter = wakeWaiter;
    wakeWaiter = undefined;
    waiter?.();
  };
  const unsubscribe = store.onWake?.(wake);

  const claim = async (): Promise<void> => {
    const startedAt = Date.now();
    try {
      const result = await store.claimLanes({
        owner,
        leaseMs: settings.leaseMs,
        ...(settings.maxLanes === undefined ? {} : { maxLanes: settings.maxLanes }),
      });
      claimAttempts = 0;
      if (!running) return;
      const before = held.size;
      held.clear();
      for (const lane of result.lanes) held.add(lane);
      leaseValidUntil = startedAt + (settings.leaseMs * 2) / 3;
      // More relays joined: hand idle lanes beyond the fair share back so they can take them.
      const target = fairShare(store.lanes, result.relays, settings.maxLanes);
      const surplus = [...held]
        .filter((lane) => !busy.has(lane))
        .reverse()
        .slice(0, Math.max(0, held.size - target));
      if (surplus.length > 0) {
        for (const lane of surplus) held.delete(lane);
        await store.releaseLanes(owner, surplus);
      }
      // Lanes just taken may hold rows, and lanes whose lease ran short are workable again.
      if (held.size > 0 || before > 0) wake();
    } catch (error) {
      claimAttempts++;
      logger.warn({ owner, error }, 'outbox relay could not renew its lanes; retrying');
    }
  };

  let claimTimer: NodeJS.Timeout | undefined;
  const scheduleClaim = (): void => {
    const delay =
      claimAttempts === 0
        ? settings.leaseMs / 3
        : Math.min(settings.leaseMs / 3, backoffDelayMs(claimAttempts, settings) + 10);
    claimTimer = setTimeout(() => {
      void claim().finally(() => {
        if (running) scheduleClaim();
      });
    }, delay);
  };

  /** Publishes a run of rows of one topic in one call. */
  const send = async (topic: string, run: readonly OutboxRecord[]): Promise<void> => {
    const span = startRelaySpan(tracer, transport.name, topic, run);
    const messages: OutgoingMessage[] = run.map((row) => ({
      headers: row.headers,
      payload: row.payload,
      ...(row.key === undefined ? {} : { key: row.key }),
    }));
    try {
      await withTimeout(
        transport.publish(topic, messages),
        settings.publishTimeoutMs,
        `Publishing to "${topic}"`,
      );
      endSpan(span);
    } catch (error) {
      endSpan(span, error);
      options.metrics?.failed(topic, isEddyError(error) ? error.code : 'unknown');
      throw error;
    }
    options.metrics?.published(topic, run.length);
  };

  /**
   * A row failed alone. Sets it aside (returns 'set-aside') when the error is permanent or it ran
   * out of attempts, returns 'lost' when the lease went meanwhile, and throws to back off otherwise.
   */
  const rowFailed = async (
    lane: number,
    row: OutboxRecord,
    error: unknown,
  ): Promise<'set-aside' | 'lost'> => {
    const kind = classifyRowFailure(error);
    if (kind === 'transport') throw error;
    const previous = rowFailures.get(lane);
    const attempt = kind === 'permanent' ? 1 : (previous?.id === row.id ? previous.count : 0) + 1;
    if (kind === 'retriable' && attempt < settings.maxAttempts) {
      rowFailures.set(lane, { id: row.id, count: attempt });
      throw error;
    }
    const text = rowErrorText(error);
    if (!(await store.markFailed({ owner, lane, id: row.id, error: text, attempts: attempt }))) return 'lost';
    rowFailures.delete(lane);
    const code = isEddyError(error) ? error.code : 'unknown';
    options.metrics?.rowFailed?.(row.topic, code);
    logger.error(
      { owner, lane, id: row.id, topic: row.topic, key: row.key, attempts: attempt, error },
      `outbox row ${row.id} set aside after ${kind === 'permanent' ? 'a permanent' : `${attempt} retriable`} publish ` +
        'failure; later rows of its lane go on. Fix the cause, then put it back with retryFailed.',
    );
    try {
      options.onRowFailed?.({ row, error, attempts: attempt, reason: kind });
    } catch (callbackError) {
      logger.warn({ owner, lane, id: row.id, error: callbackError }, 'outbox onRowFailed threw; ignored');
    }
    return 'set-aside';
  };

  const publishRows = async (lane: number, rows: readonly OutboxRecord[]): Promise<void> => {
    let done: number[] = [];
    const flush = async (): Promise<boolean> => {
      if (done.length === 0) return true;
      const ids = done;
      done = [];
      const kept = await store.markPublished({ owner, lane, ids, delete: settings.deleteAfterPublish });
      if (!kept) {
        held.delete(lane);
        logger.warn(
          { owner, lane },
          'outbox lane lease was lost mid-batch; its next owner may publish the batch again',
        );
      }
      return kept;
    };
    let index = 0;
    // After a failed call, rows up to here go one at a time to find the one that fails.
    let isolateUntil = 0;
    try {
      while (index < rows.length && Date.now() < leaseValidUntil) {
        // Consecutive rows of one topic go in one publish call; topic changes keep row order.
        const topic = rows[index]!.topic;
        let end = index + 1;
        if (index >= isolateUntil) while (end < rows.length && rows[end]!.topic === topic) end++;
        const run = rows.slice(index, end);
        try {
          await send(topic, run);
        } catch (error) {
          if (run.length > 1) {
            // A closed or unreachable transport fails every row alike: back off instead.
            if (classifyRowFailure(error) === 'transport') throw error;
            isolateUntil = end;
            continue;
          }
          // Rows before it are marked first, so nothing published waits behind a failed row.
          if (!(await flush())) return;
          if ((await rowFailed(lane, run[0]!, error)) === 'lost') {
            held.delete(lane);
            logger.warn({ owner, lane }, 'outbox lane lease was lost before a failed row could be set aside');
            return;
          }
          isolateUntil = index + 1;
          index = end;
          continue;
        }
        const failing = rowFailures.get(lane)?.id;
        if (failing !== undefined && run.some((row) => row.id === failing)) rowFailures.delete(lane);
        for (const row of run) done.push(row.id);
        index = end;
      }
    } finally {
      await flush();
    }
  };

  /** Publishes one lane until it is empty or its lease runs short. Returns true when more may be pending. */
  const drainLane = async (lane: number): Promise<boolean> => {
    busy.add(lane);
    try {
      while (running && held.has(lane) && Date.now() < leaseValidUntil) {
        const rows = await store.fetchPending(lane, settings.batchSize);
        if (rows.length === 0) return false;
        await publishRows(lane, rows);
        attempts.delete(lane);
        if (rows.length < settings.batchSize) return false;
      }
      // Stopped, lost the lane, or the lease runs short: the next renewal wakes the loop again.
      return false;
    } catch (error) {
      const attempt = (attempts.get(lane) ?? 0) + 1;
      attempts.set(lane, attempt);
      const delay = backoffDelayMs(attempt, settings);
      backoffUntil.set(lane, Date.now() + Math.max(delay, settings.baseDelayMs / 2));
      logger.warn({ owner, lane, attempt, error }, `outbox publish failed; lane retried in ${delay} ms`);
      return false;
    } finally {
      busy.delete(lane);
    }
  };

  const cleanup = async (): Promise<void> => {
    if (settings.cleanupIntervalMs === 0 || Date.now() - lastCleanupAt < settings.cleanupIntervalMs) return;
    lastCleanupAt = Date.now();
    try {
      await store.purgePublished(Date.now() - settings.retentionMs);
    } catch (error) {
      logger.warn({ owner, error }, 'outbox cleanup failed; retried at the next interval');
    }
  };

  const waitForWork = async (): Promise<void> => {
    if (wakeRequested || !running) return;
    const now = Date.now();
    let delay = settings.pollIntervalMs;
    for (const until of backoffUntil.values()) delay = Math.min(delay, Math.max(0, until - now));
    await new Promise<void>((resolveWait) => {
      const timer = setTimeout(() => {
        wakeWaiter = undefined;
        resolveWait();
      }, delay);
      wakeWaiter = () => {
        clearTimeout(timer);
        resolveWait();
      };
    });
  };

  const loop = async (): Promise<void> => {
    await claim();
    scheduleClaim();
    while (running) {
      wakeRequested = false;
      const now = Date.now();
      const ready = [...held].filter((lane) => (backoffUntil.get(lane) ?? 0) <= now);
      for (const lane of ready) backoffUntil.delete(lane);
      let more = false;
      for (let i = 0; i < ready.length && running; i += settings.concurrency) {
        const results = await Promise.all(ready.slice(i, i + settings.concurrency).map(drainLane));
        if (results.some(Boolean)) more = true;
      }
      await cleanup();
      if (more) {
        // Yield to timers (lease renewal) between full rounds, even when every call resolved at once.
        await new Promise((resolveTurn) => setImmediate(resolveTurn));
        continue;
      }
      await waitForWork();
    }
  };

  const done = loop().catch((error: unknown) => {
    logger.error({ owner, error }, 'outbox relay stopped unexpectedly');
  });

  let stopping: Promise<void> | undefined;
  return {
    owner,
    heldLanes: () => [...held].sort((a, b) => a - b),
    wake,
    stop() {
      stopping ??= (async () => {
        running = false;
        clearTimeout(claimTimer);
        wake();
        unsubscribe?.();
        await done;
        const lanes = [...held];
        held.clear();
        if (lanes.length > 0) {
          await store.releaseLanes(owner, lanes).catch((error: unknown) => {
            logger.warn(
              { owner, error },
              'outbox relay could not release its lanes; they expire with the lease',
            );
          });
        }
      })();
      return stopping;
    },
  };
}
