import type { Redis } from 'ioredis';

import { READS_AT } from './trim-loss.js';

/**
 * Moves a group on one partition stream, atomically, creating it there when missing:
 * every pending entry is acknowledged (`XACK`), so no member redelivers from the old position,
 * then `XGROUP SETID` (with ENTRIESREAD on Redis 7, so trimming losses stay detectable), and the
 * partition's delayed-redelivery set, reported-loss hash and lease are deleted. Deleting the lease
 * makes a member that stays subscribed give the partition up on its next renewal (dropping what it
 * held of it) and take it again from the new position.
 * The pending list is cleared in a loop inside the script: a very large one blocks Redis meanwhile.
 * KEYS: stream, delayed set, loss hash, lease. ARGV: group, id, '1' when Redis counts reads.
 */
const RESET_GROUP = `${READS_AT}
local group, id = ARGV[1], ARGV[2]
local read = nil
if ARGV[3] == '1' then read = readsAt(KEYS[1], id) end
local exists = false
if redis.call('EXISTS', KEYS[1]) == 1 then
  for _, row in ipairs(redis.call('XINFO', 'GROUPS', KEYS[1])) do
    if fields(row)['name'] == group then exists = true end
  end
end
local args
if exists then
  while true do
    local rows = redis.call('XPENDING', KEYS[1], group, '-', '+', 1000)
    if #rows == 0 then break end
    local ids = {}
    for i, row in ipairs(rows) do ids[i] = row[1] end
    redis.call('XACK', KEYS[1], group, unpack(ids))
  end
  args = {'XGROUP', 'SETID', KEYS[1], group, id}
else
  args = {'XGROUP', 'CREATE', KEYS[1], group, id, 'MKSTREAM'}
end
if read then
  table.insert(args, 'ENTRIESREAD')
  table.insert(args, read)
end
redis.call(unpack(args))
redis.call('DEL', KEYS[2], KEYS[3], KEYS[4])
return 1
`;

export interface GroupResetKeys {
  readonly stream: string;
  readonly delayed: string;
  readonly trimLoss: string;
  readonly lease: string;
}

/** Puts `group` at `id` (a last-delivered id, or '$') on one partition; see RESET_GROUP. */
export async function resetGroupOnStream(
  redis: Redis,
  keys: GroupResetKeys,
  group: string,
  id: string,
  countsReads: boolean,
): Promise<void> {
  await redis.eval(
    RESET_GROUP,
    4,
    keys.stream,
    keys.delayed,
    keys.trimLoss,
    keys.lease,
    group,
    id,
    countsReads ? '1' : '0',
  );
}
