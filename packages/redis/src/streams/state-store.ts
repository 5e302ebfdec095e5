import { ClosedError } from '@eddy/core/internal';
import {
  DEFAULT_INPUT_TTL_MS,
  type ConsumedPosition,
  type PendingOutput,
  type StateStore,
} from '@eddy/streams';
import { assertStateCommit, assertStateName as assertName, stateJson as json } from '@eddy/streams/internal';
import type { Redis } from 'ioredis';
import { connectRedis, describeTarget } from '../connection.js';
import { toEddyError } from '../errors.js';
import {
  DEFAULT_CONNECT_TIMEOUT_MS,
  DEFAULT_PREFIX,
  DEFAULT_RECONNECT_MAX_DELAY_MS,
  DEFAULT_REDIS_URL,
} from '../options.js';

export interface RedisStateStoreOptions {
  /**
   * An ioredis client to use (the caller keeps owning it: `close()` leaves it open). Without one, the
   * store connects to `url` itself and closes that connection on `close()`.
   */
  readonly redis?: Redis;
  /** Used when `redis` is not given. Default `redis://127.0.0.1:6379`. */
  readonly url?: string;
  /** Prefix of the store's keys. Default `'eddy:'` (keys are `<prefix>state:{<namespace>}:<part>`). */
  readonly prefix?: string;
  /** How long consumed inputs are remembered, ms. Default 86 400 000 (24 h). */
  readonly inputTtlMs?: number;
  /** Clock, epoch ms. Default `Date.now`. */
  readonly now?: () => number;
}

// One commit is one script: Redis runs a script whole, with no other command in between, and
// writes its effects to the AOF and replicas as one MULTI/EXEC block.
// KEYS: state hash, inputs zset (input key -> consumed at), outputs zset (id -> seq), outputs hash
// (id -> json), output sequence counter, positions hash ("topic\0partition" -> json).
// ARGV: at, sweep-before (or ''), then five counted lists: deletes, puts (key, value),
// inputs (key), positions (field, json), outputs (id, json), published (id).
const COMMIT = `
local at = tonumber(ARGV[1])
local i = 3
local n = tonumber(ARGV[i]); i = i + 1
for _ = 1, n do redis.call('HDEL', KEYS[1], ARGV[i]); i = i + 1 end
n = tonumber(ARGV[i]); i = i + 1
for _ = 1, n do redis.call('HSET', KEYS[1], ARGV[i], ARGV[i + 1]); i = i + 2 end
n = tonumber(ARGV[i]); i = i + 1
for _ = 1, n do redis.call('ZADD', KEYS[2], at, ARGV[i]); i = i + 1 end
n = tonumber(ARGV[i]); i = i + 1
for _ = 1, n do redis.call('HSET', KEYS[6], ARGV[i], ARGV[i + 1]); i = i + 2 end
n = tonumber(ARGV[i]); i = i + 1
for _ = 1, n do
  local seq = redis.call('INCR', KEYS[5])
  redis.call('ZADD', KEYS[3], seq, ARGV[i])
  redis.call('HSET', KEYS[4], ARGV[i], ARGV[i + 1])
  i = i + 2
end
n = tonumber(ARGV[i]); i = i + 1
for _ = 1, n do redis.call('ZREM', KEYS[3], ARGV[i]); redis.call('HDEL', KEYS[4], ARGV[i]); i = i + 1 end
if ARGV[2] ~= '' then redis.call('ZREMRANGEBYSCORE', KEYS[2], '-inf', '(' .. ARGV[2]) end
return 1
`;

// Old consumed inputs are swept at most this often per namespace, inside a commit.
const SWEEP_INTERVAL_MS = 60_000;

/**
 * `StateStore` on Redis: per namespace a hash of state, a sorted set of consumed input keys, the
 * pending outputs (a sorted set for their order and a hash for their bodies) and a hash of
 * positions, all under one hash tag so they share a cluster slot. A commit is one Lua script, so
 * other clients never see half of it and a crash of the pipeline's process never leaves half of it.
 * What survives a crash of Redis itself depends on its persistence: with `appendfsync always`
 * every acknowledged commit; with `everysec` every one across a crash of the Redis process, while a
 * crash of its machine may lose the last second of commits (whole, never split). See
 * docs/guides/streams.md.
 */
export async function createRedisStateStore(options: RedisStateStoreOptions = {}): Promise<StateStore> {
  const owned = options.redis === undefined;
  const redis =
    options.redis ??
    (await connectRedis({
      url: options.url ?? DEFAULT_REDIS_URL,
      redis: {},
      connectTimeoutMs: DEFAULT_CONNECT_TIMEOUT_MS,
      reconnectMaxDelayMs: DEFAULT_RECONNECT_MAX_DELAY_MS,
      connectionName: 'eddy-state',
    }));
  const where = describeTarget({ redis: redis.options });
  const prefix = options.prefix ?? DEFAULT_PREFIX;
  const ttlMs = options.inputTtlMs ?? DEFAULT_INPUT_TTL_MS;
  const now = options.now ?? Date.now;
  const sweptAt = new Map<string, number>();
  let closed = false;

  const keys = (namespace: string) => {
    const base = `${prefix}state:{${assertName(namespace, 'namespace')}}:`;
    return {
      state: `${base}kv`,
      inputs: `${base}in`,
      outputOrder: `${base}out`,
      outputs: `${base}outv`,
      outputSeq: `${base}outseq`,
      positions: `${base}pos`,
    };
  };
  const run = async <T>(doing: string, work: () => Promise<T>): Promise<T> => {
    if (closed) throw new ClosedError('Redis state store');
    try {
      return await work();
    } catch (error) {
      throw toEddyError(error, doing, where);
    }
  };

  return {
    atomicCommit: true,
    get: (namespace, key) =>
      run('reading stream state', async () => {
        const text = await redis.hget(keys(namespace).state, assertName(key, 'key'));
        return text === null ? undefined : (JSON.parse(text) as unknown);
      }),
    put: (namespace, key, value) =>
      run('writing stream state', async () => {
        const text = json(value, key);
        await redis.hset(keys(namespace).state, assertName(key, 'key'), text);
      }),
    delete: (namespace, key) =>
      run('deleting stream state', async () => {
        await redis.hdel(keys(namespace).state, assertName(key, 'key'));
      }),
    entries: (namespace) =>
      run('listing stream state', async () => {
        const all = await redis.hgetall(keys(namespace).state);
        return Object.keys(all)
          .sort((a, b) => (a < b ? -1 : a > b ? 1 : 0))
          .map((key) => ({ key, value: JSON.parse(all[key]!) as unknown }));
      }),
    commit: (namespace, commit) =>
      run('committing stream state', async () => {
        assertStateCommit(namespace, commit);
        const k = keys(namespace);
        const at = now();
        const sweep = at - (sweptAt.get(namespace) ?? 0) >= SWEEP_INTERVAL_MS;
        const args: (string | number)[] = [at, sweep ? at - ttlMs : ''];
        const deletes = commit.deletes ?? [];
        args.push(deletes.length, ...deletes);
        const puts = commit.puts ?? [];
        args.push(puts.length);
        for (const { key, value } of puts) args.push(key, JSON.stringify(value));
        const inputs = commit.inputs ?? [];
        args.push(inputs.length, ...inputs.map((input) => input.key));
        const latest = new Map<string, string>();
        for (const { topic, partition, offset } of inputs) {
          latest.set(
            `${topic}\u0000${partition}`,
            JSON.stringify({ topic, partition, offset, committedAt: at }),
          );
        }
        args.push(latest.size);
        for (const [field, text] of latest) args.push(field, text);
        const outputs = commit.outputs ?? [];
        args.push(outputs.length);
        for (const output of outputs) args.push(output.id, JSON.stringify(output));
        const published = commit.published ?? [];
        args.push(published.length, ...published);
        await redis.eval(
          COMMIT,
          6,
          k.state,
          k.inputs,
          k.outputOrder,
          k.outputs,
          k.outputSeq,
          k.positions,
          ...args,
        );
        if (sweep) sweptAt.set(namespace, at);
      }),
    consumed: (namespace, inputKeys) =>
      run('reading consumed inputs', async () => {
        if (inputKeys.length === 0) return new Set<string>();
        const scores = await redis.zmscore(keys(namespace).inputs, ...inputKeys);
        return new Set(inputKeys.filter((_, i) => scores[i] !== null));
      }),
    pendingOutputs: (namespace) =>
      run('reading pending outputs', async () => {
        const k = keys(namespace);
        const ids = await redis.zrange(k.outputOrder, 0, -1);
        if (ids.length === 0) return [];
        const bodies = await redis.hmget(k.outputs, ...ids);
        return bodies
          .filter((text): text is string => text !== null)
          .map((text) => JSON.parse(text) as PendingOutput);
      }),
    positions: (namespace) =>
      run('reading consumed positions', async () => {
        const all = await redis.hvals(keys(namespace).positions);
        return all
          .map((text) => JSON.parse(text) as ConsumedPosition)
          .sort((a, b) => (a.topic === b.topic ? a.partition - b.partition : a.topic < b.topic ? -1 : 1));
      }),
    async close(): Promise<void> {
      if (closed) return;
      closed = true;
      if (owned) await redis.quit().catch(() => redis.disconnect());
    },
  };
}
