import type { Redis } from 'ioredis';

import { compareStreamIds } from './in-flight.js';

/** A stream entry with its delivery count from the group's pending list. */
export interface PendingEntry {
  readonly id: string;
  readonly fields: Buffer[];
  readonly count: number;
}

type RawEntry = [Buffer, Buffer[] | null];
type PendingRow = [string, string, number, number];

/** One consumer group's view of one partition stream. */
export interface GroupStream {
  readonly redis: Redis;
  readonly stream: string;
  readonly group: string;
  readonly memberId: string;
}

/** Pending ids taken over, and pending ids whose entries retention trimmed away (no longer pending now). */
export interface TakenIds {
  readonly ids: string[];
  readonly trimmed: string[];
}

/**
 * Moves every pending entry idle for at least `minIdleMs` to this member without counting a
 * delivery (`XAUTOCLAIM ... JUSTID`), and returns their ids in stream order. Redis 7 also returns
 * (and drops from the pending list) the ids of entries no longer in the stream: `trimmed`.
 */
export async function takePendingIds(target: GroupStream, minIdleMs: number): Promise<TakenIds> {
  const ids: string[] = [];
  const trimmed: string[] = [];
  let cursor = '0-0';
  do {
    const reply = (await target.redis.xautoclaim(
      target.stream,
      target.group,
      target.memberId,
      minIdleMs,
      cursor,
      'COUNT',
      1000,
      'JUSTID',
    )) as [string, string[], string[]?];
    cursor = reply[0];
    ids.push(...reply[1]);
    if (reply[2] !== undefined) trimmed.push(...reply[2]);
  } while (cursor !== '0-0');
  return { ids: ids.sort(compareStreamIds), trimmed: trimmed.sort(compareStreamIds) };
}

async function countsOf(target: GroupStream, ids: readonly string[]): Promise<Map<string, number>> {
  if (ids.length === 0) return new Map();
  const rows = (await target.redis.xpending(
    target.stream,
    target.group,
    ids[0]!,
    ids[ids.length - 1]!,
    Math.max(ids.length, 10_000),
    target.memberId,
  )) as PendingRow[];
  return new Map(rows.map((row) => [row[0], Number(row[3])]));
}

function toEntries(raw: readonly RawEntry[], counts: Map<string, number>, fallback: number): PendingEntry[] {
  const entries: PendingEntry[] = [];
  for (const [idBuffer, fields] of raw) {
    if (fields === null) continue;
    const id = idBuffer.toString();
    entries.push({ id, fields, count: counts.get(id) ?? fallback });
  }
  return entries;
}

/** Entries claimed back, and the requested ids whose entries retention trimmed away. */
export interface Claimed {
  readonly entries: PendingEntry[];
  readonly trimmed: string[];
}

/**
 * Claims `ids` for a redelivery (`XCLAIM`, which counts one more delivery) and returns the entries
 * still in the stream, with their new delivery counts. Entries trimmed away meanwhile are dropped
 * from the pending list by Redis and left out silently; those are looked up (only when some are
 * missing, which is rare) and listed in `trimmed`. An id missing because another member
 * acknowledged it is still in the stream and is not listed.
 */
export async function claimForRedelivery(
  target: GroupStream,
  ids: readonly string[],
  /** Sets the delivery count instead of adding one: for a scheduled message's first delivery. */
  keepCount?: number,
): Promise<Claimed> {
  if (ids.length === 0) return { entries: [], trimmed: [] };
  const sorted = [...ids].sort(compareStreamIds);
  const raw = (await target.redis.callBuffer(
    'XCLAIM',
    target.stream,
    target.group,
    target.memberId,
    0,
    ...sorted,
    ...(keepCount === undefined ? [] : ['RETRYCOUNT', keepCount]),
  )) as RawEntry[];
  const entries = toEntries(raw, await countsOf(target, sorted), 2);
  if (entries.length === sorted.length) return { entries, trimmed: [] };
  const returned = new Set(entries.map((entry) => entry.id));
  return {
    entries,
    trimmed: await notInStream(
      target,
      sorted.filter((id) => !returned.has(id)),
    ),
  };
}

async function notInStream(target: GroupStream, ids: readonly string[]): Promise<string[]> {
  const pipeline = target.redis.pipeline();
  for (const id of ids) pipeline.xrange(target.stream, id, id);
  const replies = (await pipeline.exec()) ?? [];
  return ids.filter((_, i) => {
    const [error, value] = replies[i] ?? [null, []];
    if (error !== null) throw error;
    return (value as unknown[]).length === 0;
  });
}

/** Reads pending entries without claiming them (their delivery counts stay as they are). */
export async function readPending(target: GroupStream, ids: readonly string[]): Promise<PendingEntry[]> {
  if (ids.length === 0) return [];
  const sorted = [...ids].sort(compareStreamIds);
  const pipeline = target.redis.pipeline();
  for (const id of sorted) pipeline.xrangeBuffer(target.stream, id, id);
  const replies = (await pipeline.exec()) ?? [];
  const raw: RawEntry[] = [];
  for (const [error, value] of replies) {
    if (error !== null) throw error;
    raw.push(...(value as RawEntry[]));
  }
  return toEntries(raw, await countsOf(target, sorted), 1);
}

/**
 * Hands entries this member read but never gave to its handler back to the group: their delivery
 * count goes back down by one, so the next owner's delivery counts as the first.
 */
export async function returnUnhanded(
  target: GroupStream,
  entries: readonly { readonly id: string; readonly count: number }[],
): Promise<void> {
  if (entries.length === 0) return;
  const pipeline = target.redis.pipeline();
  for (const entry of entries) {
    pipeline.xclaim(
      target.stream,
      target.group,
      target.memberId,
      0,
      entry.id,
      'RETRYCOUNT',
      Math.max(0, entry.count - 1),
      'JUSTID',
    );
  }
  await pipeline.exec();
}

/**
 * Everything pending in a partition when a member takes it over: all ids moved to this member
 * (stream order), and the due times of those parked by a delayed nack. Due times of entries no
 * longer pending are removed. A missing group (Redis lost its data) is created again, empty.
 */
export async function takeBacklog(
  target: GroupStream,
  delayedKey: string,
  recreateGroup: () => Promise<void>,
): Promise<{ ids: string[]; trimmed: string[]; dueById: Map<string, number> }> {
  let ids: string[];
  let trimmed: string[];
  try {
    ({ ids, trimmed } = await takePendingIds(target, 0));
  } catch (error) {
    if (!/NOGROUP/.test(String(error))) throw error;
    await recreateGroup();
    ids = [];
    trimmed = [];
  }
  const scores = await target.redis.zrange(delayedKey, 0, -1, 'WITHSCORES');
  const dueById = new Map<string, number>();
  for (let i = 0; i + 1 < scores.length; i += 2) dueById.set(scores[i]!, Number(scores[i + 1]));
  const pendingIds = new Set(ids);
  const stale = [...dueById.keys()].filter((id) => !pendingIds.has(id));
  if (stale.length > 0) await target.redis.zrem(delayedKey, ...stale);
  for (const id of stale) dueById.delete(id);
  return { ids, trimmed, dueById };
}
