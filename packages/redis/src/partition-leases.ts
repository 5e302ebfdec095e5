import type { Redis } from 'ioredis';

import type { KeySpace } from './keys.js';

const RENEW = `if redis.call('get', KEYS[1]) == ARGV[1] then return redis.call('pexpire', KEYS[1], ARGV[2]) end return 0`;
/** How often a joining member looks whether its partitions were released, ms. */
const JOIN_POLL_MS = 25;
const RELEASE = `if redis.call('get', KEYS[1]) == ARGV[1] then return redis.call('del', KEYS[1]) end return 0`;

/** What the subscription does when ownership of a partition changes. */
export interface LeaseHandlers {
  /** This member took over `partition`: pick up what earlier owners left. Fetching starts when it resolves. */
  adopt(partition: number): Promise<void>;
  /** This member gives `partition` up (or lost it): resolves once its work on that partition settled. */
  drain(partition: number): Promise<void>;
  /** The set of fetched partitions changed. */
  changed(): void;
  /** Something failed in the background; the next heartbeat retries. */
  failed(error: unknown, doing: string): void;
}

export interface PartitionLeasesOptions {
  readonly redis: Redis;
  readonly keys: KeySpace;
  readonly topic: string;
  readonly group: string;
  readonly memberId: string;
  readonly partitions: number;
  readonly heartbeatIntervalMs: number;
  readonly sessionTimeoutMs: number;
  readonly handlers: LeaseHandlers;
}

export interface PartitionLeases {
  /** Partitions this member owns and fetches from now. */
  readonly owned: ReadonlySet<number>;
  /** Joins the group and takes its share of partitions. */
  start(): Promise<void>;
  /** Runs a rebalance soon, e.g. because the group's generation counter moved. */
  rebalanceSoon(): void;
  /** Publishes the client id of this member's blocking connection, so joiners can interrupt its reads. */
  advertiseClient(clientId: number): void;
  /** The group's generation counter as last seen; the fetch loop compares it on every round. */
  noteGeneration(value: string | null): void;
  /** Drains and releases every partition and leaves the group. */
  stop(): Promise<void>;
}

/**
 * Per-key order with competing consumers: each partition stream of a group is processed by exactly
 * one member at a time, which holds a lease key (`SET NX PX`) renewed on every heartbeat. Members
 * register in a sorted set scored by session expiry; member i of N (sorted by id) wants partitions
 * p with p % N == i. A member gives up partitions it no longer wants only after its in-flight work
 * on them settled, then bumps the group generation so the new owner takes them at once.
 */
export function createPartitionLeases(options: PartitionLeasesOptions): PartitionLeases {
  const { redis, keys, topic, group, memberId, handlers } = options;
  const membersKey = keys.members(topic, group);
  const generationKey = keys.generation(topic, group);
  const clientsKey = keys.clients(topic, group);
  let wanted: number[] = [];
  const leaseKey = (partition: number): string => keys.lease(topic, group, partition);
  const owned = new Set<number>();
  const releasing = new Map<number, Promise<void>>();
  let generation: string | null | undefined;
  let running: Promise<void> | undefined;
  let again = false;
  let stopped = false;
  let timer: NodeJS.Timeout | undefined;

  const bumpGeneration = async (): Promise<void> => {
    await redis
      .multi()
      .incr(generationKey)
      .pexpire(generationKey, options.sessionTimeoutMs * 6)
      .exec();
  };

  const release = (partition: number, deleteLease: boolean): void => {
    owned.delete(partition);
    handlers.changed();
    const work = (async () => {
      try {
        await handlers.drain(partition);
        if (deleteLease) {
          await redis.eval(RELEASE, 1, leaseKey(partition), memberId);
          await bumpGeneration();
        }
      } catch (error) {
        handlers.failed(error, `releasing partition ${partition} of "${topic}"`);
      } finally {
        releasing.delete(partition);
      }
    })();
    releasing.set(partition, work);
  };

  // A partition being given up stays leased until its drain finished: the drain waits for handlers
  // up to the ack timeout, which may be longer than the session timeout, and a lapsed lease would
  // let the next owner claim (and deliver again) messages whose handlers are still running here.
  const renewReleasing = async (): Promise<void> => {
    await Promise.all(
      [...releasing.keys()].map((partition) =>
        redis.eval(RENEW, 1, leaseKey(partition), memberId, options.sessionTimeoutMs),
      ),
    );
  };

  const rebalanceOnce = async (): Promise<void> => {
    const now = Date.now();
    const replies = await redis
      .multi()
      .zadd(membersKey, now + options.sessionTimeoutMs, memberId)
      .zremrangebyscore(membersKey, '-inf', now)
      .zrange(membersKey, 0, -1)
      .pexpire(membersKey, options.sessionTimeoutMs * 6)
      .pexpire(clientsKey, options.sessionTimeoutMs * 6)
      .exec();
    if (stopped) return;
    // Sorted by id, not by score (session expiry), so every member computes the same assignment.
    const live = [...((replies?.[2]?.[1] as string[] | undefined) ?? [memberId])].sort();
    const index = Math.max(0, live.indexOf(memberId));
    const isWanted = (partition: number): boolean => partition % live.length === index;
    wanted = [];
    for (let partition = 0; partition < options.partitions; partition++) {
      if (isWanted(partition)) wanted.push(partition);
    }

    await Promise.all(
      [...owned].map(async (partition) => {
        if (!isWanted(partition)) {
          release(partition, true);
          return;
        }
        const kept = await redis.eval(RENEW, 1, leaseKey(partition), memberId, options.sessionTimeoutMs);
        // Our session lapsed (a long pause or an outage) and the lease expired: someone else may own it now.
        if (kept !== 1 && owned.has(partition)) release(partition, false);
      }),
    );
    await renewReleasing();
    const candidates = wanted.filter((partition) => !owned.has(partition) && !releasing.has(partition));
    // Partitions are taken over in parallel: adopting one costs a few round trips.
    const taken = await Promise.all(
      candidates.map(async (partition) => {
        if (stopped) return false;
        const lease = await redis.set(leaseKey(partition), memberId, 'PX', options.sessionTimeoutMs, 'NX');
        if (lease !== 'OK') return false;
        try {
          await handlers.adopt(partition);
        } catch (error) {
          handlers.failed(error, `taking over partition ${partition} of "${topic}"`);
          await redis.eval(RELEASE, 1, leaseKey(partition), memberId);
          return false;
        }
        if (stopped) {
          await redis.eval(RELEASE, 1, leaseKey(partition), memberId);
          return false;
        }
        owned.add(partition);
        return true;
      }),
    );
    const changed = taken.some(Boolean);
    if (changed) {
      handlers.changed();
      await bumpGeneration();
    }
  };

  const rebalance = async (): Promise<void> => {
    if (running !== undefined) {
      again = true;
      return running;
    }
    running = (async () => {
      do {
        again = false;
        try {
          await rebalanceOnce();
        } catch (error) {
          handlers.failed(error, `renewing partition leases of group "${group}" on "${topic}"`);
        }
      } while (again && !stopped);
    })();
    try {
      await running;
    } finally {
      running = undefined;
    }
  };

  /** Interrupts the other members' blocking reads so they look at the new generation at once. */
  const wakeOthers = async (): Promise<void> => {
    try {
      const clients = await redis.hgetall(clientsKey);
      await Promise.all(
        Object.entries(clients)
          .filter(([member]) => member !== memberId)
          .map(([, clientId]) => redis.client('UNBLOCK', clientId).catch(() => 0)),
      );
    } catch {
      // Without CLIENT rights (managed Redis) the others notice on their next heartbeat instead.
    }
  };

  const rebalanceSoon = (): void => {
    if (!stopped) void rebalance();
  };

  return {
    owned,
    async start() {
      await bumpGeneration();
      await rebalance();
      timer = setInterval(() => void rebalance(), options.heartbeatIntervalMs);
      timer.unref();
      // Joining: wait (at most a session timeout) until the members holding this member's share
      // have drained and released it, so that work is shared from the first message on.
      const deadline = Date.now() + options.sessionTimeoutMs;
      if (!wanted.every((partition) => owned.has(partition))) await wakeOthers();
      while (!stopped && Date.now() < deadline && !wanted.every((partition) => owned.has(partition))) {
        await new Promise((resolve) => setTimeout(resolve, JOIN_POLL_MS));
        await rebalance();
      }
    },
    advertiseClient(clientId) {
      redis
        .multi()
        .hset(clientsKey, memberId, clientId)
        .pexpire(clientsKey, options.sessionTimeoutMs * 6)
        .exec()
        .catch((error: unknown) => handlers.failed(error, `registering in group "${group}"`));
    },
    rebalanceSoon,
    noteGeneration(value) {
      if (generation !== undefined && value !== generation) rebalanceSoon();
      generation = value;
    },
    async stop() {
      stopped = true;
      if (timer !== undefined) clearInterval(timer);
      if (running !== undefined) await running;
      for (const partition of [...owned]) release(partition, true);
      // The heartbeat has stopped; the leases of draining partitions are still renewed.
      const keepLeases = setInterval(() => {
        renewReleasing().catch((error: unknown) =>
          handlers.failed(error, `renewing leases of partitions of "${topic}" being released`),
        );
      }, options.heartbeatIntervalMs);
      try {
        await Promise.all([...releasing.values()]);
      } finally {
        clearInterval(keepLeases);
      }
      try {
        await redis.multi().zrem(membersKey, memberId).hdel(clientsKey, memberId).exec();
        await bumpGeneration();
      } catch (error) {
        handlers.failed(error, `leaving group "${group}" on "${topic}"`);
      }
    },
  };
}
