import type { Redis } from 'ioredis';

import { ID_HELPERS } from './trim-loss.js';

/**
 * The scripts below run `XINFO` inside Redis so only ids and counts come back: `XINFO STREAM`'s
 * reply also carries the first and last entries whole, payloads included.
 * KEYS[1] stream. Returns {0} when it does not exist, else {1, length, first id, last id, last generated id}.
 */
const PARTITION_INFO = `${ID_HELPERS}
if redis.call('EXISTS', KEYS[1]) == 0 then return {0} end
local s = fields(redis.call('XINFO', 'STREAM', KEYS[1]))
local first = s['first-entry'] and s['first-entry'][1] or ''
local last = s['last-entry'] and s['last-entry'][1] or ''
return {1, s['length'], first, last, s['last-generated-id']}
`;

/**
 * KEYS[1] stream. Returns {length, {{name, pending, lowest pending id or '', last delivered id,
 * undelivered, trimmed unread or -1 when unknown}, ...}}.
 *
 * Undelivered entries: none when the group is at the end, all when it is before the oldest entry,
 * else Redis 7's `lag` (capped at the length: after trimming it may also count entries lost),
 * else (Redis 6, or 7 after XDEL in the range) counted with XRANGE, which costs a pass over the rest.
 * Trimmed unread: as the loss check in trim-loss.ts counts it, only where that needs no scan.
 */
const GROUPS_INFO = `${ID_HELPERS}
if redis.call('EXISTS', KEYS[1]) == 0 then return {0, {}} end
local s = fields(redis.call('XINFO', 'STREAM', KEYS[1]))
local first = s['first-entry'] and s['first-entry'][1]
local top = s['last-generated-id']
local out = {}
for _, row in ipairs(redis.call('XINFO', 'GROUPS', KEYS[1])) do
  local g = fields(row)
  local last = g['last-delivered-id']
  local read = g['entries-read']
  local undelivered, lost = 0, -1
  if cmp(last, top) >= 0 then
    lost = 0
  elseif s['length'] == 0 then
    if read then lost = s['entries-added'] - read end
  elseif cmp(last, first) < 0 then
    undelivered = s['length']
    if read then lost = s['entries-added'] - read - s['length'] end
  elseif g['lag'] then
    undelivered = math.min(g['lag'], s['length'])
  else
    local from = '(' .. last
    while true do
      local rows = redis.call('XRANGE', KEYS[1], from, '+', 'COUNT', 1000)
      undelivered = undelivered + #rows
      if #rows < 1000 then break end
      from = '(' .. rows[#rows][1]
    end
  end
  local lowest = ''
  if g['pending'] > 0 then lowest = redis.call('XPENDING', KEYS[1], g['name'])[2] end
  table.insert(out, {g['name'], g['pending'], lowest, last, undelivered, lost})
end
return {s['length'], out}
`;

export interface StreamInfo {
  readonly length: number;
  /** Undefined when the stream is empty or does not exist. */
  readonly firstId: string | undefined;
  readonly lastId: string | undefined;
  /** Undefined when the stream does not exist. */
  readonly lastGeneratedId: string | undefined;
}

export interface StreamGroupInfo {
  readonly name: string;
  /** Delivered, not acknowledged. */
  readonly pending: number;
  readonly lowestPendingId: string | undefined;
  readonly lastDeliveredId: string;
  /** After the last delivered id. */
  readonly undelivered: number;
  /** Entries retention trimmed before the group read them, undefined where unknown without a scan. */
  readonly trimmedUnread: number | undefined;
}

type PartitionReply = [0] | [1, number, string, string, string];
type GroupsReply = [number, [string, number, string, string, number, number][]];

/** Length and ends of each stream, in one round trip. */
export async function streamInfos(redis: Redis, streams: readonly string[]): Promise<StreamInfo[]> {
  const pipeline = redis.pipeline();
  for (const stream of streams) pipeline.eval(PARTITION_INFO, 1, stream);
  return ((await pipeline.exec()) ?? []).map(([error, value]) => {
    if (error !== null) throw error;
    const reply = value as PartitionReply;
    if (reply[0] === 0) {
      return { length: 0, firstId: undefined, lastId: undefined, lastGeneratedId: undefined };
    }
    const [, length, first, last, generated] = reply;
    return {
      length,
      firstId: first === '' ? undefined : first,
      lastId: last === '' ? undefined : last,
      lastGeneratedId: generated,
    };
  });
}

/**
 * Bytes each stream takes (`MEMORY USAGE`, which samples a few nodes of a large stream: an estimate).
 * 0 where the command is refused (managed Redis may disable it) or the stream does not exist.
 */
export async function streamBytes(redis: Redis, streams: readonly string[]): Promise<number[]> {
  const pipeline = redis.pipeline();
  for (const stream of streams) pipeline.call('MEMORY', 'USAGE', stream);
  return ((await pipeline.exec()) ?? []).map(([error, value]) => (error === null ? Number(value ?? 0) : 0));
}

/** Every group of each stream, with its counts, in one round trip. */
export async function streamGroups(
  redis: Redis,
  streams: readonly string[],
): Promise<{ length: number; groups: StreamGroupInfo[] }[]> {
  const pipeline = redis.pipeline();
  for (const stream of streams) pipeline.eval(GROUPS_INFO, 1, stream);
  return ((await pipeline.exec()) ?? []).map(([error, value]) => {
    if (error !== null) throw error;
    const [length, rows] = value as GroupsReply;
    return {
      length,
      groups: rows.map(([name, pending, lowest, last, undelivered, lost]) => ({
        name,
        pending,
        lowestPendingId: lowest === '' ? undefined : lowest,
        lastDeliveredId: last,
        undelivered,
        trimmedUnread: lost < 0 ? undefined : lost,
      })),
    };
  });
}
