import type { StoredMessageView, TopicSummary } from '@eddy/core';
import type { StoredMessageJson, TopicSearchResponse } from '../http/api-types.js';
import { storedMessageJson } from './admin-json.js';
import type { BackendAdmin } from './backend-admin.js';

/** Messages one search reads unless it asks for another bound (`scan`). */
export const DEFAULT_SCAN = 10_000;
/** Most messages one search may read: the bound that keeps a search from reading a whole log. */
export const MAX_SCAN = 100_000;
const PAGE = 500;

export interface TopicSearch {
  /** Only this partition. Default: every partition, the scan bound shared between them. */
  readonly partition?: number;
  /** First offset read (inclusive), with `partition` only. Default: the oldest retained. */
  readonly from?: string;
  /** Messages whose key is exactly this. */
  readonly key?: string;
  /** Messages whose CloudEvent JSON (or raw payload, as UTF-8) contains this text (case-sensitive). */
  readonly q?: string;
  /** Most matches returned. */
  readonly limit: number;
  /** Most messages read. */
  readonly scan: number;
}

function matcher(search: TopicSearch): (view: StoredMessageView, json: StoredMessageJson) => boolean {
  const { key, q } = search;
  return (view, json) => {
    if (key !== undefined && key !== '' && view.key !== key) return false;
    if (q === undefined || q === '') return true;
    const text =
      json.event === null ? Buffer.from(view.payload).toString('utf8') : JSON.stringify(json.event);
    return text.includes(q);
  };
}

/**
 * Reads a topic from the oldest retained message (or `from`), at most `scan` messages in all, and
 * returns those matching the key and text, by partition then offset. Offsets are opaque: each page after
 * the first starts at the last offset read and drops it, which works for every backend.
 */
export async function searchTopic(
  admin: BackendAdmin,
  topic: TopicSummary,
  search: TopicSearch,
): Promise<TopicSearchResponse> {
  const matches = matcher(search);
  const partitions = topic.partitionInfo.filter(
    (info) => search.partition === undefined || info.partition === search.partition,
  );
  const found: StoredMessageJson[] = [];
  let scanned = 0;
  // One cursor per partition still to read; read round-robin, so a bound smaller than the topic
  // covers every partition's oldest messages and an empty or short partition leaves its share to the rest.
  let cursors = partitions
    .filter((info) => info.lastOffset !== undefined)
    .map((info) => ({
      info,
      from: search.partition === undefined ? info.firstOffset : (search.from ?? info.firstOffset),
      drop: undefined as string | undefined,
    }));
  while (cursors.length > 0 && scanned < search.scan && found.length < search.limit) {
    const share = Math.max(1, Math.ceil((search.scan - scanned) / cursors.length));
    const open: typeof cursors = [];
    for (const cursor of cursors) {
      const budget = Math.min(PAGE, share, search.scan - scanned);
      if (budget <= 0 || found.length >= search.limit) {
        open.push(cursor);
        continue;
      }
      const page = await admin.readMessages(topic.name, {
        partition: cursor.info.partition,
        fromOffset: cursor.from,
        limit: budget + (cursor.drop === undefined ? 0 : 1),
      });
      const fresh = page.filter((message) => message.offset !== cursor.drop).slice(0, budget);
      let last: StoredMessageView | undefined;
      for (const view of fresh) {
        last = view;
        scanned += 1;
        const json = storedMessageJson(view);
        if (matches(view, json)) found.push(json);
        if (found.length >= search.limit) break;
      }
      // Done with a partition at its newest message (as listed), or when nothing new came back.
      if (last !== undefined && last.offset !== cursor.info.lastOffset) {
        open.push({ info: cursor.info, from: last.offset, drop: last.offset });
      }
    }
    cursors = open;
  }
  const complete = cursors.length === 0;
  found.sort((a, b) => a.partition - b.partition);
  return { messages: found.slice(0, search.limit), scanned, scanLimit: search.scan, complete };
}
