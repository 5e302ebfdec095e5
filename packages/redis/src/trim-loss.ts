import type { Redis } from 'ioredis';

import { idAfter } from './stream-ids.js';

/**
 * Redis trims streams (`MAXLEN`, `MINID`) without regard to consumer groups and (checked on 7.0) does
 * not record what trimming removed (`max-deleted-entry-id` only follows `XDEL`). What it does keep
 * is a count: the stream's `entries-added` and each group's `entries-read`, which `XREADGROUP`
 * increments per entry delivered. Entries trimmed before a group read them are never counted as
 * read, so `entries-added - entries-read - (entries still after the group's position)` is the number
 * of entries the group lost. These scripts read that atomically and keep, per group and partition,
 * how many losses were already reported: the hash lives in Redis (not in the member) so that
 * another member adopting the partition, or a restarted process, does not report them again.
 */
export const ID_HELPERS = `
local function fields(flat)
  local t = {}
  for i = 1, #flat, 2 do t[flat[i]] = flat[i + 1] end
  return t
end
local function cmpnum(a, b)
  if #a ~= #b then return #a < #b and -1 or 1 end
  if a == b then return 0 end
  return a < b and -1 or 1
end
local function split(id)
  local ms, seq = string.match(id, '^(%d+)-?(%d*)$')
  return ms, seq == '' and '0' or seq
end
local function cmp(a, b)
  local am, as = split(a)
  local bm, bs = split(b)
  local c = cmpnum(am, bm)
  if c ~= 0 then return c end
  return cmpnum(as, bs)
end
local function max(a, b)
  return cmp(a, b) >= 0 and a or b
end
`;

/**
 * `readsAt(stream, id)`: the ENTRIESREAD a group placed at `id` should carry, so Redis counts the
 * group's reads from there (without it the counter stays unknown until the group reaches one end of
 * the stream, and losses meanwhile go unseen). A group placed before the oldest retained entry counts
 * everything trimmed so far as read: like 'earliest' on the SQLite log, it starts at the oldest
 * retained entry without a loss. In the middle of a stream the count is unknown (nil), left to Redis.
 */
export const READS_AT = `${ID_HELPERS}
local function readsAt(stream, id)
  if redis.call('EXISTS', stream) == 0 then return 0 end
  local s = fields(redis.call('XINFO', 'STREAM', stream))
  if id == '$' or s['length'] == 0 or cmp(id, s['last-generated-id']) >= 0 then
    return s['entries-added']
  elseif cmp(id, s['first-entry'][1]) < 0 then
    return s['entries-added'] - s['length']
  end
  return nil
end
`;

/**
 * XGROUP CREATE with ENTRIESREAD (see READS_AT).
 * KEYS[1] stream; ARGV group, start id. Returns 1 (created) or 0 (existed).
 */
const CREATE_GROUP = `${READS_AT}
local args = {'XGROUP', 'CREATE', KEYS[1], ARGV[1], ARGV[2], 'MKSTREAM'}
local read = readsAt(KEYS[1], ARGV[2])
if read then
  table.insert(args, 'ENTRIESREAD')
  table.insert(args, read)
end
local reply = redis.pcall(unpack(args))
if type(reply) == 'table' and reply.err then
  if string.find(reply.err, 'BUSYGROUP') then return 0 end
  return reply
end
return 1
`;

/**
 * KEYS[1] stream, KEYS[2] the group's loss hash for this partition; ARGV[1] group.
 * Returns false when nothing new was lost or it cannot be told now, else
 * { lower bound (exclusive), upper bound (inclusive), entries lost }.
 *
 * The remaining entries after the group's position are known without a scan only when the group is
 * before the oldest entry (all of them) or at the end (none). In between, the check waits: whatever
 * was lost stays in the count and is reported once the group is at either end again.
 *
 * Bounds: trimming removes the head only, so every lost entry is before the oldest kept one. When
 * the group is behind that entry, the lost ones are taken to follow its position; a loss it had
 * already read past, unseen because it fell between two checks, is counted but can lie before that
 * bound. Otherwise the range starts after the last one reported or the last position seen clean.
 */
const CHECK_LOSS = `${ID_HELPERS}
if redis.call('EXISTS', KEYS[1]) == 0 then return false end
local s = fields(redis.call('XINFO', 'STREAM', KEYS[1]))
local g
for _, row in ipairs(redis.call('XINFO', 'GROUPS', KEYS[1])) do
  local t = fields(row)
  if t['name'] == ARGV[1] then g = t end
end
if g == nil or not g['entries-read'] then return false end
local last = g['last-delivered-id']
local seen = redis.call('HMGET', KEYS[2], 'lost', 'floor')
local reported = tonumber(seen[1]) or 0
local floor = seen[2] or '0-0'
local caughtUp = cmp(last, s['last-generated-id']) >= 0
local remaining, lower, upper
if s['length'] == 0 then
  remaining, upper = 0, s['last-generated-id']
  lower = caughtUp and floor or max(floor, last)
else
  local first = s['first-entry'][1]
  local ms, seq = split(first)
  if seq == '0' then
    upper = string.format('%.0f', tonumber(ms) - 1) .. '-18446744073709551615'
  else
    upper = ms .. '-' .. string.format('%.0f', tonumber(seq) - 1)
  end
  if caughtUp then
    remaining, lower = 0, floor
  elseif cmp(last, first) < 0 then
    remaining, lower = s['length'], max(floor, last)
  else
    return false
  end
end
local lost = s['entries-added'] - g['entries-read'] - remaining
if lost > reported then
  redis.call('HSET', KEYS[2], 'lost', lost, 'floor', upper)
  return {lower, upper, lost - reported}
end
-- Nothing new: whatever is lost later lies after the group's position.
if cmp(last, floor) > 0 or lost < reported then
  redis.call('HSET', KEYS[2], 'lost', lost, 'floor', max(last, floor))
end
return false
`;

/** A range of stream ids that were trimmed before the group read them. */
export interface TrimmedRange {
  /** Lowest id the lost entries can have (inclusive). */
  readonly from: string;
  /** Highest id the lost entries can have (inclusive). */
  readonly to: string;
}

/** Creates a consumer group (if missing) whose read count Redis tracks from the start. Redis 7+. */
export async function createCountedGroup(
  redis: Redis,
  stream: string,
  group: string,
  startId: string,
): Promise<void> {
  await redis.eval(CREATE_GROUP, 1, stream, group, startId);
}

/** Entries of `stream` trimmed before `group` read them and not reported yet; marks them reported. Redis 7+. */
export async function takeTrimmedUnread(
  redis: Redis,
  stream: string,
  lossKey: string,
  group: string,
): Promise<TrimmedRange | undefined> {
  const reply = (await redis.eval(CHECK_LOSS, 2, stream, lossKey, group)) as [string, string, number] | null;
  if (reply === null) return undefined;
  const [lower, to] = reply;
  return { from: idAfter(lower), to };
}
