import { randomUUID } from 'node:crypto';
import { type MessageHandler, type ReceivedMessage, type Subscription } from '@eddy/core';
import {
  DEDUPE_HEADER,
  DeliveryBatcher,
  KeyedQueue,
  PositionLostError,
  redeliveryDelayOf,
  SUPERSEDE_HEADER,
  type BatchTarget,
  type ResolvedSubscribeOptions,
} from '@eddy/core/internal';
import { toEddyError } from './errors.js';
import type { GroupStore } from './group-store.js';
import type { LogStore, PartitionRead, TopicInfo } from './log-store.js';
import { formatOffset, parseOffset } from './offsets.js';
import type { ResolvedSqliteOptions } from './options.js';
import { releaseStream, saveStream } from './lease-rows.js';
import { PartitionStream, type Entry } from './partition-stream.js';

/** The longest delay a Node timer keeps: about 24.8 days. */
const MAX_TIMER_MS = 2 ** 31 - 1;
/** Most rows one pump reads, in fetch batches. */
const PUMP_BUDGET_BATCHES = 8;
/**
 * Longest run of deliveries started back to back in one turn of the event loop. Settling starts
 * the next delivery through promise callbacks only, so a backlog with quick handlers would drain
 * in one unbroken chain of microtasks, holding off timers and I/O (the poll that finds an urgent
 * event, a request) for as long as the buffered rows last: seconds, not milliseconds.
 */
const DELIVERY_SLICE_MS = 4;
/**
 * Longest run of deliveries without looking for commits of other connections. Such a commit is
 * otherwise noticed only when the event loop next polls for I/O (the WAL watch), after the whole
 * turn it lands in: a slice of deliveries, the handlers they started, a read of the next rows.
 * An urgent event in a priority lane then waited behind that turn of the low lane's work. The
 * check is one pragma read when nothing changed.
 */
const COMMIT_CHECK_MS = 1;

/** A delivery started and waiting to go over with the others of its batch. */
interface BatchedDelivery {
  readonly entry: Entry;
  readonly token: number;
  readonly message: ReceivedMessage;
}

export interface SubscriptionContext {
  readonly log: LogStore;
  readonly groups: GroupStore;
  readonly options: ResolvedSqliteOptions;
  /** The database, as error messages name it. */
  readonly where: string;
  readonly groupChanged: (groupId: number) => void;
  /**
   * Looks for commits of other connections and wakes the subscriptions of the topics that got
   * messages. Cheap when nothing changed (one pragma read). Must not run inside a delivery's
   * synchronous frames: it may wake the caller itself.
   */
  readonly checkCommits: () => void;
  readonly onClosed: (subscription: SqliteSubscription) => void;
}

/**
 * One member of a consumer group. Partitions are leased to members (the lease lives in the database,
 * so members in other processes see it); the holder reads its partitions in batches, hands messages
 * out in key order, and commits acknowledgements as an ack floor plus the acknowledged set above it.
 */
export class SqliteSubscription implements Subscription {
  readonly topic: TopicInfo;
  readonly groupId: number;
  readonly #ctx: SubscriptionContext;
  readonly #options: ResolvedSubscribeOptions;
  readonly #handler: MessageHandler | undefined;
  /**
   * Set for a batch subscription: the slots start entries one by one, in a synchronous run (a
   * fetch, a settle), and what one run starts goes to the handler together.
   */
  readonly #batch: DeliveryBatcher<BatchedDelivery> | undefined;
  readonly #memberId = randomUUID();
  readonly #leaseMs: number;
  readonly #heartbeatMs: number;
  readonly #streams = new Map<number, PartitionStream>();
  readonly #cooldown = new Map<number, number>();
  /** Handler slots: at most `maxInFlight` deliveries at once, ready entries waiting in order. */
  readonly #slots: KeyedQueue<Entry>;
  /** Deliveries running, for the ack-timeout sweep (the slots count them but do not list them). */
  readonly #inflight = new Set<Entry>();
  /**
   * Entries whose key just became free, handed to the slots by `#dispatch`: a read of many rows is
   * taken in whole before any of it is delivered, so reading stops at `fetchBatchSize`.
   */
  readonly #staged: Entry[] = [];
  readonly #stage = (entry: Entry): void => {
    this.#staged.push(entry);
  };
  #dispatching = false;
  #pumpScheduled = false;
  /** When this subscription last asked for a commit check (performance.now()). */
  #commitsCheckedAt = 0;
  /** When the current run of deliveries began, or undefined until one begins in this turn. */
  #sliceStartedAt: number | undefined;
  /** Entries holding a slot whose delivery waits for the next turn (see DELIVERY_SLICE_MS). */
  readonly #deferred: Entry[] = [];
  readonly #timers = new Set<NodeJS.Timeout>();
  #closing = false;
  #closed: Promise<void> | undefined;
  #drained: (() => void) | undefined;
  #flushTimer: NodeJS.Timeout | undefined;
  #tickScheduled = false;
  #heartbeat: NodeJS.Timeout | undefined;

  constructor(
    ctx: SubscriptionContext,
    topic: TopicInfo,
    groupId: number,
    options: ResolvedSubscribeOptions,
    handler: MessageHandler | BatchTarget,
  ) {
    this.#ctx = ctx;
    this.topic = topic;
    this.groupId = groupId;
    this.#options = options;
    if (typeof handler === 'function') {
      this.#handler = handler;
    } else {
      this.#batch = new DeliveryBatcher<BatchedDelivery>({
        ...handler,
        messageOf: (delivery) => delivery.message,
        settle: ({ entry, token }, failure) =>
          this.#settle(entry, token, failure?.error, failure !== undefined),
      });
    }
    // A crashed member's partitions become claimable when its lease runs out, which is what makes
    // "redelivered after ackTimeoutMs" hold across processes.
    this.#leaseMs = options.ackTimeoutMs;
    this.#heartbeatMs = Math.max(5, Math.min(1_000, Math.floor(options.ackTimeoutMs / 3)));
    this.#slots = new KeyedQueue<Entry>({
      concurrency: options.maxInFlight,
      start: (entry) => this.#startDelivery(entry),
      isLive: (entry) => this.#isLive(entry),
    });
  }

  start(): void {
    this.#tick();
    this.#heartbeat = setInterval(() => {
      this.#sweepTimeouts();
      this.#tick();
    }, this.#heartbeatMs);
  }

  /** New messages may exist in these partitions of the topic (all of them when not given). */
  wake(partitions?: Iterable<number>): void {
    if (this.#closing) return;
    // Only the partitions that got messages: every stream marked here is read on the next pump,
    // and a read of a partition with nothing new still costs its query.
    if (partitions === undefined) for (const stream of this.#streams.values()) stream.hasMore = true;
    else {
      for (const partition of partitions) {
        const stream = this.#streams.get(partition);
        if (stream !== undefined) stream.hasMore = true;
      }
    }
    // Nothing running: no run of deliveries to break up, so what this wake finds starts now
    // rather than behind a slice that an earlier delivery of this turn opened.
    if (this.#inflight.size === 0 && this.#deferred.length === 0) this.#sliceStartedAt = undefined;
    this.#pump();
  }

  /** Membership or leases of the group changed: rebalance soon. */
  scheduleTick(): void {
    if (this.#tickScheduled || this.#closing) return;
    this.#tickScheduled = true;
    setImmediate(() => {
      this.#tickScheduled = false;
      this.#tick();
    });
  }

  /**
   * Pushes a running delivery's redelivery past `ms` from now. Only the local deadline moves: the
   * partition's lease in the database is renewed by the heartbeat while this member lives, and
   * should it die, redelivering the message elsewhere is what the lease is for.
   */
  extendLease(message: ReceivedMessage, ms: number): Promise<void> {
    const entry = this.#streams.get(message.partition)?.entries.get(parseOffset(message.offset));
    if (entry?.state === 'inflight' && entry.deliveries === message.deliveryCount) {
      entry.leaseUntil = Math.max(entry.leaseUntil, Date.now() + ms);
    }
    return Promise.resolve();
  }

  close(): Promise<void> {
    this.#closed ??= this.#close();
    return this.#closed;
  }

  async #close(): Promise<void> {
    this.#closing = true;
    clearInterval(this.#heartbeat);
    for (const timer of this.#timers) clearTimeout(timer);
    this.#timers.clear();
    for (const stream of this.#streams.values()) stream.releasing = true;
    // Hand back idle partitions at once so other members are not kept waiting on a slow handler elsewhere.
    const idle = [...this.#streams.values()].filter((stream) => stream.inFlight === 0);
    this.#guard(() => this.#ctx.groups.write(() => idle.forEach((stream) => this.#releaseRow(stream))));
    for (const stream of idle) this.#abandon(stream);
    if (idle.length > 0) this.#ctx.groupChanged(this.groupId);
    if (this.#slots.running > 0) {
      this.#flush();
      await new Promise<void>((resolve) => (this.#drained = resolve));
    }
    clearTimeout(this.#flushTimer);
    this.#guard(() => {
      this.#ctx.groups.write(() => {
        for (const stream of this.#streams.values()) this.#releaseRow(stream);
        this.#ctx.groups.leave(this.groupId, this.#memberId);
      });
    });
    this.#streams.clear();
    this.#ctx.onClosed(this);
    this.#ctx.groupChanged(this.groupId);
  }

  #guard(work: () => void): void {
    try {
      work();
    } catch (error) {
      const doing = `serving group "${this.#options.group}" of topic "${this.topic.name}"`;
      this.#ctx.options.onError(toEddyError(error, doing, this.#ctx.where));
    }
  }

  // Heartbeat: renew leases and membership, give up partitions above the fair share, claim free ones.
  #tick(): void {
    if (this.#closing) return;
    const now = Date.now();
    const lost: PartitionStream[] = [];
    const claimed: { partition: number; epoch: number }[] = [];
    let share = this.#streams.size;
    this.#guard(() => {
      this.#ctx.groups.write(() => {
        const members = this.#ctx.groups.heartbeat(this.groupId, this.#memberId, now, this.#leaseMs);
        const rows = this.#ctx.groups.partitions(this.groupId);
        for (const stream of this.#streams.values()) {
          if (!this.#saveRow(stream, now)) lost.push(stream);
        }
        share = Math.ceil(this.topic.partitions / members);
        let owned = this.#streams.size - lost.length;
        const start = Math.floor(Math.random() * rows.length);
        for (let i = 0; i < rows.length; i++) {
          const row = rows[(start + i) % rows.length]!;
          if (this.#streams.has(row.partition)) continue;
          if (row.owner !== null && row.lease_expires >= now) continue;
          const cooling = members > 1 && (this.#cooldown.get(row.partition) ?? 0) > now;
          const longFree = row.lease_expires + this.#heartbeatMs < now;
          if (cooling || (owned >= share && !longFree)) continue;
          if (
            this.#ctx.groups.claim(
              this.groupId,
              row.partition,
              this.#memberId,
              row.epoch,
              now + this.#leaseMs,
            )
          ) {
            claimed.push({ partition: row.partition, epoch: row.epoch + 1 });
            owned += 1;
          }
        }
      });
    });
    for (const stream of lost) this.#abandon(stream);
    const held = [...this.#streams.values()].filter((stream) => !stream.releasing);
    for (const { partition, epoch } of claimed) this.#adopt(partition, epoch);
    // Above the fair share: hand back partitions held before this tick (idle ones first), never the
    // ones just claimed, so a partition taken over for a stuck member is actually served.
    const extra = held.length + claimed.length - share;
    if (extra > 0) {
      held.sort((a, b) => a.inFlight - b.inFlight);
      for (const stream of held.slice(0, extra)) this.#startRelease(stream);
    }
    this.#pump();
  }

  #adopt(partition: number, epoch: number): void {
    const groups = this.#ctx.groups;
    const row = groups.partition(this.groupId, partition);
    if (row === undefined) return;
    const stream = new PartitionStream(
      partition,
      epoch,
      {
        floor: row.ack_floor,
        acked: row.acked === null ? [] : (JSON.parse(row.acked) as number[]),
        dispatched: row.dispatched,
        attempts: groups.attempts(this.groupId, partition, row.ack_floor),
      },
      this.#stage,
    );
    this.#streams.set(partition, stream);
    const first = this.#ctx.log.firstOffset(this.topic, partition);
    if (stream.floor < first) this.#positionLost(stream, stream.floor, first);
  }

  #positionLost(stream: PartitionStream, from: number, to: number): void {
    stream.addGap(from, to);
    stream.dirty = true;
    this.#ctx.options.onError(
      new PositionLostError({
        topic: this.topic.name,
        group: this.#options.group,
        partition: stream.partition,
        from: formatOffset(from),
        to: formatOffset(to - 1),
      }),
    );
  }

  #saveRow(stream: PartitionStream, now: number): boolean {
    return saveStream(this.#ctx.groups, this.groupId, this.#memberId, stream, now + this.#leaseMs);
  }

  #releaseRow(stream: PartitionStream): void {
    releaseStream(this.#ctx.groups, this.groupId, this.#memberId, stream);
  }

  #startRelease(stream: PartitionStream): void {
    stream.releasing = true;
    if (stream.inFlight === 0) this.#release(stream);
  }

  #release(stream: PartitionStream): void {
    if (stream.abandoned || this.#closing) return;
    this.#guard(() => this.#ctx.groups.write(() => this.#releaseRow(stream)));
    this.#abandon(stream);
    this.#ctx.groupChanged(this.groupId);
  }

  #abandon(stream: PartitionStream): void {
    stream.abandoned = true;
    if (this.#streams.get(stream.partition) === stream) this.#streams.delete(stream.partition);
  }

  #scheduleFlush(): void {
    if (this.#flushTimer !== undefined) return;
    this.#flushTimer = setTimeout(() => {
      this.#flushTimer = undefined;
      this.#flush();
    }, this.#ctx.options.ackCommitIntervalMs);
  }

  #flush(): void {
    const now = Date.now();
    const lost: PartitionStream[] = [];
    this.#guard(() => {
      this.#ctx.groups.write(() => {
        for (const stream of this.#streams.values()) {
          if ((stream.dirty || stream.pendingAttempts.size > 0) && !this.#saveRow(stream, now))
            lost.push(stream);
        }
      });
    });
    for (const stream of lost) this.#abandon(stream);
  }

  // Settling leads straight to the next delivery through promise callbacks only, so a backlog
  // would drain as one unbroken chain of microtasks and starve timers and I/O (a publish, an HTTP
  // request, a timeout in the same process) until it is empty. Reading the next rows waits for
  // the event loop's next turn instead: one yield per fetch, not per message.
  #schedulePump(): void {
    if (this.#pumpScheduled) {
      this.#dispatch();
      return;
    }
    this.#pumpScheduled = true;
    this.#dispatch();
    setImmediate(() => {
      this.#pumpScheduled = false;
      this.#pump();
    });
  }

  // Reads more messages for each held partition while there is room in the buffer and the window.
  #pump(): void {
    if (this.#closing) return;
    const { fetchBatchSize, maxUnackedWindow } = this.#ctx.options;
    const now = Date.now();
    const { filter } = this.#options;
    let skipped = false;
    // A filter that drops nearly everything would otherwise read a whole backlog in one turn of
    // the event loop; past this many rows the rest waits for the next turn.
    let budget = fetchBatchSize * PUMP_BUDGET_BATCHES;
    for (const stream of this.#streams.values()) {
      while (stream.hasMore && !stream.releasing && stream.undispatched < fetchBatchSize && budget > 0) {
        const room = maxUnackedWindow - (stream.fetchOffset - stream.floor);
        if (room <= 0) break;
        const limit = Math.min(fetchBatchSize, room);
        let read: PartitionRead | undefined;
        this.#guard(() => {
          read = this.#ctx.log.read(this.topic, stream.partition, stream.fetchOffset, limit);
        });
        const rows = read?.messages ?? [];
        const first = rows[0];
        if (first === undefined) {
          const retained = read?.firstOffset ?? 0;
          if (retained > stream.fetchOffset) this.#positionLost(stream, stream.fetchOffset, retained);
        } else if (first.offset > stream.fetchOffset) {
          this.#positionLost(stream, stream.fetchOffset, first.offset);
        }
        for (const row of rows) {
          // Dropped here, before any per-message bookkeeping: a filter that drops most of a topic
          // then costs a header check per message, not a delivery.
          if (filter !== undefined && !filter(row.headers)) {
            if (stream.skip(row)) {
              skipped = true;
              this.#options.onFiltered(row.headers);
            }
            continue;
          }
          const entry = stream.add(row, now);
          if (entry !== undefined && row.headers[SUPERSEDE_HEADER] === 'true') this.#supersede(entry);
          if (entry?.state === 'waiting') this.#until(row.deliverAt!, () => this.#makeReady(entry));
        }
        budget -= rows.length;
        if (rows.length < limit) stream.hasMore = false;
        this.#checkCommitsBy(performance.now());
      }
    }
    if (skipped) this.#scheduleFlush();
    if (budget <= 0) this.#schedulePump();
    else this.#dispatch();
  }

  #supersede(entry: Entry): void {
    const type = entry.message.headers['ce-type'];
    if (type === undefined) return;
    const stale = entry.stream.supersede(entry, type);
    if (stale === undefined) return;
    this.#options.onSuperseded(stale.message.headers);
    this.#scheduleFlush();
  }

  #later(delayMs: number, work: () => void): void {
    this.#until(Date.now() + delayMs, work);
  }

  /**
   * Runs `work` once the wall clock reached `dueAt`. A timer counts from the event loop's cached
   * time, which lags the wall clock by up to a millisecond, so it can fire just before `dueAt`:
   * then it waits again for the rest, and a `deliverAt` is never delivered early.
   */
  #until(dueAt: number, work: () => void): void {
    if (this.#closing) return;
    const delayMs = dueAt - Date.now();
    if (delayMs <= 0) {
      setImmediate(work);
      return;
    }
    // Node fires a timer of more than 2^31-1 ms after 1 ms; a far `deliverAt` waits in steps.
    const timer = setTimeout(
      () => {
        this.#timers.delete(timer);
        if (Date.now() < dueAt) this.#until(dueAt, work);
        else work();
      },
      Math.min(delayMs, MAX_TIMER_MS),
    );
    this.#timers.add(timer);
  }

  #makeReady(entry: Entry | undefined): void {
    if (entry === undefined || entry.state !== 'waiting' || entry.stream.abandoned || this.#closing) return;
    entry.state = 'ready';
    this.#staged.push(entry);
    this.#dispatch();
  }

  /** Ready and still ours to deliver: its partition is neither handed back nor being handed back. */
  #isLive(entry: Entry): boolean {
    return entry.state === 'ready' && !entry.stream.abandoned && !entry.stream.releasing;
  }

  /** Hands staged entries to the slots, which deliver them as slots free up, oldest first. */
  #dispatch(): void {
    // A handler runs synchronously inside push(); should it lead back here, the outer loop picks
    // up what was staged meanwhile.
    if (this.#dispatching) return;
    this.#dispatching = true;
    const staged = this.#staged;
    try {
      for (let i = 0; i < staged.length; i++) {
        const entry = staged[i]!;
        if (this.#isLive(entry)) this.#slots.push(entry);
      }
    } finally {
      staged.length = 0;
      this.#dispatching = false;
    }
  }

  #startDelivery(entry: Entry): void {
    const now = performance.now();
    this.#checkCommitsBy(now);
    if (this.#sliceStartedAt === undefined) {
      this.#sliceStartedAt = now;
      setImmediate(() => {
        this.#sliceStartedAt = undefined;
        this.#runDeferred();
      });
    } else if (now - this.#sliceStartedAt > DELIVERY_SLICE_MS || this.#deferred.length > 0) {
      // Keeps the slot (and its key) and the order: the next turn starts these first.
      this.#deferred.push(entry);
      return;
    }
    this.#deliver(entry);
  }

  // In a microtask: the check may wake this very subscription, which must not read and dispatch
  // from inside the slot queue that is starting this delivery. The microtask runs next to the
  // settling handlers, not a turn of the event loop later.
  #checkCommitsBy(now: number): void {
    if (now - this.#commitsCheckedAt < COMMIT_CHECK_MS) return;
    this.#commitsCheckedAt = now;
    queueMicrotask(this.#ctx.checkCommits);
  }

  #runDeferred(): void {
    const deferred = this.#deferred.splice(0);
    for (const entry of deferred) {
      if (!this.#closing && this.#isLive(entry)) this.#startDelivery(entry);
      else this.#slots.done(entry); // never started: it stays unacknowledged, for whoever reads it next
    }
    if (this.#closing && this.#slots.running === 0) this.#drained?.();
  }

  #deliver(entry: Entry): void {
    const stream = entry.stream;
    if (entry.buffered) {
      entry.buffered = false;
      stream.undispatched -= 1;
    }
    entry.state = 'inflight';
    entry.deliveries += 1;
    const token = ++entry.token;
    entry.startedAt = Date.now();
    entry.leaseUntil = 0;
    stream.inFlight += 1;
    this.#inflight.add(entry);
    const offset = entry.message.offset;
    if (offset + 1 > stream.dispatchedHigh) {
      // Recorded soon after, so that a member taking over after a crash counts this delivery.
      stream.dispatchedHigh = offset + 1;
      stream.dirty = true;
      this.#scheduleFlush();
    }
    const { message } = entry;
    const received: ReceivedMessage = {
      topic: this.topic.name,
      partition: stream.partition,
      offset: formatOffset(offset),
      key: message.key,
      headers: message.headers,
      payload: message.payload,
      publishedAt: message.publishedAt,
      deliveryCount: entry.deliveries,
    };
    const handler = this.#handler;
    let result: Promise<void> | void;
    try {
      // Replaced by a later message of its dedupe key while it waited: settled unseen. Only
      // messages published with a replacing dedupe carry the header, so others cost no query.
      if (
        message.headers[DEDUPE_HEADER] !== undefined &&
        this.#ctx.log.isSuperseded(this.topic, stream.partition, offset)
      ) {
        result = undefined;
      } else if (handler === undefined) {
        this.#batch?.add({ entry, token, message: received });
        return;
      } else result = handler(received);
    } catch (error) {
      queueMicrotask(() => this.#settle(entry, token, error, true));
      return;
    }
    if (result instanceof Promise) {
      result.then(
        () => this.#settle(entry, token, undefined, false),
        (error: unknown) => this.#settle(entry, token, error, true),
      );
    } else {
      queueMicrotask(() => this.#settle(entry, token, undefined, false));
    }
  }

  #settle(entry: Entry, token: number, error: unknown, failed: boolean): void {
    // A delivery that timed out was already counted out and redelivered; its late result is ignored.
    if (entry.token !== token || entry.state !== 'inflight') return;
    const stream = entry.stream;
    this.#inflight.delete(entry);
    stream.inFlight -= 1;
    if (!stream.abandoned) {
      if (!failed) {
        stream.ack(entry); // stages the next entry of its key, if any
      } else {
        entry.state = 'waiting';
        stream.pendingAttempts.set(entry.message.offset, entry.deliveries);
        stream.dirty = true;
        this.#later(redeliveryDelayOf(error, this.#options.nackDelayMs), () => this.#makeReady(entry));
      }
      this.#scheduleFlush();
      if (stream.releasing && stream.inFlight === 0) this.#release(stream);
    }
    // Frees the slot, starting the oldest waiting entry (staged ones queue behind it).
    this.#slots.done(entry);
    if (this.#closing) {
      if (this.#slots.running === 0) this.#drained?.();
      return;
    }
    if (stream.undispatched < this.#ctx.options.fetchBatchSize / 2) this.#schedulePump();
    else this.#dispatch();
  }

  // An unsettled delivery past ackTimeoutMs counts as failed: its partition is handed back so that
  // any member (this one only after a cool-down, if others are alive) redelivers it.
  #sweepTimeouts(): void {
    const now = Date.now();
    const expired: Entry[] = [];
    for (const entry of this.#inflight) {
      if (now - entry.startedAt >= this.#options.ackTimeoutMs && now >= entry.leaseUntil) expired.push(entry);
    }
    if (expired.length === 0) return;
    const streams = new Set<PartitionStream>();
    for (const entry of expired) {
      this.#inflight.delete(entry);
      entry.token += 1;
      entry.state = 'waiting';
      entry.stream.inFlight -= 1;
      entry.stream.pendingAttempts.set(entry.message.offset, entry.deliveries);
      streams.add(entry.stream);
    }
    for (const stream of streams) {
      this.#cooldown.set(stream.partition, now + this.#options.ackTimeoutMs);
      if (!stream.abandoned) this.#startRelease(stream);
    }
    // Only now free the slots: what they start must not come from the partitions just given up.
    for (const entry of expired) this.#slots.done(entry);
    if (this.#closing && this.#slots.running === 0) this.#drained?.();
  }
}
