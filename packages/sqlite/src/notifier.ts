import { realpathSync, watch } from 'node:fs';
import type { Position } from '@eddy/core';
import { resolve } from 'node:path';
import { parseOffset } from './offsets.js';

/**
 * Topic id to the partitions of that topic that got messages in a commit, each with the last offset
 * written there.
 */
export type AppendedPartitions = ReadonlyMap<number, ReadonlyMap<number, number>>;

/** What a transport instance hears from others on the same file in this process. */
export interface NotifierListener {
  /** Messages were committed to these partitions. */
  appended(appended: AppendedPartitions): void;
  /** Membership or leases of this group changed (join, leave, release, reset). */
  groupChanged(groupId: number): void;
}

// Instances that share a file inside one process wake each other directly; other processes are
// reached by the data_version poll in the transport.
const registry = new Map<string, Set<NotifierListener>>();

function keyOf(path: string): string | undefined {
  return path === ':memory:' ? undefined : resolve(path);
}

export function joinFile(path: string, listener: NotifierListener): () => void {
  const key = keyOf(path);
  if (key === undefined) return () => undefined;
  let listeners = registry.get(key);
  if (listeners === undefined) {
    listeners = new Set();
    registry.set(key, listeners);
  }
  listeners.add(listener);
  return () => {
    listeners.delete(listener);
    if (listeners.size === 0) registry.delete(key);
  };
}

export function notifyAppended(path: string, self: NotifierListener, appended: AppendedPartitions): void {
  const listeners = registry.get(keyOf(path) ?? '');
  if (listeners === undefined) {
    self.appended(appended);
    return;
  }
  for (const listener of listeners) listener.appended(appended);
}

/** Raises the last offset `into` holds for the partition to `offset`, if that is higher. */
export function noteLastOffset(
  into: Map<number, Map<number, number>>,
  topicId: number,
  partition: number,
  offset: number,
): void {
  let partitions = into.get(topicId);
  if (partitions === undefined) into.set(topicId, (partitions = new Map<number, number>()));
  if (offset > (partitions.get(partition) ?? -1)) partitions.set(partition, offset);
}

/** The partitions each request's messages went to, by topic id, with the last offset in each. */
export function appendedPartitions(
  topicIds: readonly number[],
  positions: readonly (readonly Position[])[],
): AppendedPartitions {
  const appended = new Map<number, Map<number, number>>();
  topicIds.forEach((topicId, index) => {
    for (const { partition, offset } of positions[index] ?? []) {
      noteLastOffset(appended, topicId, partition, parseOffset(offset));
    }
  });
  return appended;
}

export function notifyGroupChanged(path: string, self: NotifierListener, groupId: number): void {
  const listeners = registry.get(keyOf(path) ?? '');
  if (listeners === undefined) {
    self.groupChanged(groupId);
    return;
  }
  for (const listener of listeners) listener.groupChanged(groupId);
}

/**
 * Calls `changed` soon after any connection, in any process, writes to the database at `path`: a
 * commit in WAL mode writes the `-wal` file, and the file system reports it (inotify on Linux)
 * without waiting for the next `data_version` poll. Also fires on this process's own writes, so
 * `changed` must be cheap and find out itself whether anything is new. Where the file system
 * cannot watch, it does nothing and the poll alone wakes subscribers. Returns the unwatch.
 */
export function watchWrites(path: string, changed: () => void): () => void {
  if (keyOf(path) === undefined) return () => undefined;
  try {
    // SQLite names the WAL after the database file a symbolic link points to.
    const watcher = watch(`${realpathSync(path)}-wal`, { persistent: false }, changed);
    watcher.on('error', () => watcher.close());
    return () => watcher.close();
  } catch {
    return () => undefined;
  }
}
