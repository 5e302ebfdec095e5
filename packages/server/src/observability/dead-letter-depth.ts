import type { TopicSummary } from '@eddy/core';
import { resolvedTopicOf } from '@eddy/core/internal';
import type { BackendAdmin } from '../admin/backend-admin.js';

/** Most messages read per dead-letter topic (and per its settled records) in one sample. */
export const MAX_DEPTH_READ = 10_000;
const PAGE = 1_000;

/** Every stored message of a topic through the admin's browse reads, at most `MAX_DEPTH_READ`. */
async function readAll(
  admin: BackendAdmin,
  topic: TopicSummary,
): Promise<{ messages: { id: string; payload: Uint8Array }[]; complete: boolean }> {
  const messages: { id: string; payload: Uint8Array }[] = [];
  for (const partition of topic.partitionInfo) {
    if (partition.lastOffset === undefined) continue;
    let from = partition.firstOffset;
    let drop: string | undefined;
    for (;;) {
      if (messages.length >= MAX_DEPTH_READ) return { messages, complete: false };
      const page = (
        await admin.readMessages(topic.name, {
          partition: partition.partition,
          fromOffset: from,
          limit: PAGE,
        })
      ).filter((message) => message.offset !== drop);
      const last = page.at(-1);
      if (last === undefined) break;
      for (const message of page) {
        messages.push({ id: `${message.partition}:${message.offset}`, payload: message.payload });
      }
      if (last.offset === partition.lastOffset) break;
      from = last.offset;
      drop = last.offset;
    }
  }
  return { messages, complete: true };
}

/**
 * Entries of a dead-letter queue neither redriven nor purged: its stored messages less the ids in
 * the settled records of `<queue>.resolved`. The dead-letter admin's `list` counts the same, but it
 * reads through a throwaway consumer group that stays behind on backends that persist groups, which
 * a sampler running every few seconds would pile up; this reads with the admin's browse instead.
 * Beyond `MAX_DEPTH_READ` messages it estimates: stored messages less settled ids.
 */
export async function deadLetterDepth(
  admin: BackendAdmin,
  queue: TopicSummary,
  topics: readonly TopicSummary[],
): Promise<number> {
  const resolvedTopic = topics.find((topic) => topic.name === resolvedTopicOf(queue.name));
  const settled = new Set<string>();
  if (resolvedTopic !== undefined) {
    for (const record of (await readAll(admin, resolvedTopic)).messages) {
      try {
        const parsed = JSON.parse(Buffer.from(record.payload).toString('utf8')) as { ids?: unknown };
        if (Array.isArray(parsed.ids))
          for (const id of parsed.ids) if (typeof id === 'string') settled.add(id);
      } catch {
        // Not a settled record: it settles nothing.
      }
    }
  }
  const entries = await readAll(admin, queue);
  if (!entries.complete) return Math.max(0, queue.messages - settled.size);
  return entries.messages.filter((entry) => !settled.has(entry.id)).length;
}
