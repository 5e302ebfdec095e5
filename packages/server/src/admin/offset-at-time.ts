import type { PartitionInfo, StoredMessageView } from '@eddy/core';
import type { BackendAdmin } from './backend-admin.js';

/** Most messages read one by one where offsets are neither numbers nor stream ids. */
export const TIME_SCAN_LIMIT = 10_000;

const NUMERIC = /^\d+$/;
const STREAM_ID = /^\d+-\d+$/;

/**
 * The first message of a partition published at or after `time` (epoch ms), or undefined when every
 * message is older. Offsets are opaque to the gateway, so the search follows their shape: numbers
 * (SQLite, PostgreSQL) are bisected, about log2(n) reads of one message; stream ids (Redis) start
 * with their time, so one read from `<time>-0` finds it; anything else is read in order, at most
 * `TIME_SCAN_LIMIT` messages. Publish times grow with offsets within a partition, which the
 * bisection relies on.
 */
export async function firstMessageAt(
  admin: BackendAdmin,
  topic: string,
  partition: PartitionInfo,
  time: number,
): Promise<StoredMessageView | undefined> {
  const { lastOffset } = partition;
  if (lastOffset === undefined) return undefined;
  const readOne = async (from: string): Promise<StoredMessageView | undefined> =>
    (await admin.readMessages(topic, { partition: partition.partition, fromOffset: from, limit: 1 }))[0];

  if (STREAM_ID.test(lastOffset)) return readOne(`${Math.max(0, Math.floor(time))}-0`);

  if (NUMERIC.test(partition.firstOffset) && NUMERIC.test(lastOffset)) {
    const first = await readOne(partition.firstOffset);
    if (first === undefined || first.publishedAt >= time) return first;
    let high = await readOne(lastOffset);
    if (high === undefined || high.publishedAt < time) return undefined;
    // Bisects offsets, not messages, so gaps (retention, deleted rows) cannot stall it: the message
    // read from `low` is older than `time`, the one read from `upper` (`high`) is not.
    let low = BigInt(first.offset);
    let upper = BigInt(lastOffset);
    while (upper - low > 1n) {
      const middle = (low + upper) / 2n;
      const probe = await readOne(middle.toString());
      if (probe === undefined || probe.publishedAt >= time) {
        upper = middle;
        if (probe !== undefined) high = probe;
      } else low = middle;
    }
    return high;
  }

  let from = partition.firstOffset;
  for (let read = 0; read < TIME_SCAN_LIMIT;) {
    const page = await admin.readMessages(topic, {
      partition: partition.partition,
      fromOffset: from,
      limit: 500,
    });
    const fresh = read === 0 ? page : page.filter((message) => message.offset !== from);
    const found = fresh.find((message) => message.publishedAt >= time);
    if (found !== undefined) return found;
    const last = fresh.at(-1);
    if (last === undefined || last.offset === lastOffset) return undefined;
    read += fresh.length;
    from = last.offset;
  }
  return undefined;
}
