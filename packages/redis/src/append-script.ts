import { createHash } from 'node:crypto';

import type { OutgoingMessage } from '@eddy/core';
import type { Redis } from 'ioredis';

import { appendEntryFields } from './codec.js';

/*
 * Appends a batch in one server-side script: Redis runs a script without interleaving other
 * clients' commands, and a script that was sent either runs whole or (connection lost before it
 * arrived) not at all, which is what MULTI/EXEC gave. One command with one array reply instead of
 * a MULTI, an XADD and a QUEUED reply per message and an EXEC: the client builds and parses one
 * command per batch.
 *
 * KEYS: the stream of each message, in batch order. ARGV: the number of trim arguments, the trim
 * arguments (`MAXLEN ~ n` or `MINID ~ id`, or none), then per message its field count and fields.
 * Returns the new ids in batch order.
 */
const APPEND_SCRIPT = `
local trimCount = tonumber(ARGV[1])
local call = {}
for i = 1, trimCount do call[i] = ARGV[1 + i] end
call[trimCount + 1] = '*'
local at = trimCount + 2
local ids = {}
for k = 1, #KEYS do
  local count = tonumber(ARGV[at])
  for f = 1, count do call[trimCount + 1 + f] = ARGV[at + f] end
  at = at + count + 1
  ids[k] = redis.call('XADD', KEYS[k], unpack(call, 1, trimCount + 1 + count))
end
return ids
`;
const APPEND_SHA = createHash('sha1').update(APPEND_SCRIPT).digest('hex');

/**
 * XADDs every message to its stream in one script call and returns the entry ids in order.
 * `streams[i]` is the stream of `messages[i]`; `trim` goes in front of each entry's `*` id.
 */
export async function appendBatch(
  redis: Redis,
  streams: readonly string[],
  messages: readonly OutgoingMessage[],
  trim: readonly (string | number)[],
): Promise<string[]> {
  const args: (string | number | Buffer)[] = [streams.length];
  for (const stream of streams) args.push(stream);
  args.push(trim.length);
  for (const value of trim) args.push(value);
  for (const message of messages) {
    const countAt = args.length;
    args.push(0);
    args[countAt] = appendEntryFields(args, message);
  }
  try {
    return (await redis.call('EVALSHA', APPEND_SHA, ...args)) as string[];
  } catch (error) {
    // First use on this server (or after SCRIPT FLUSH or a restart): send the script itself, which
    // also caches it for the next calls.
    if (!String(error).includes('NOSCRIPT')) throw error;
    return (await redis.call('EVAL', APPEND_SCRIPT, ...args)) as string[];
  }
}
