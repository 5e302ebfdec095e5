import type { GroupStore } from './group-store.js';
import type { PartitionStream } from './partition-stream.js';

/**
 * Commits what a held partition has settled (ack floor, acked set, delivery counts, how far it has
 * handed out) and renews the lease. False when the lease was lost (taken over after expiry, or the
 * group was reset): the caller must drop the partition. Runs inside the caller's write transaction.
 */
export function saveStream(
  groups: GroupStore,
  groupId: number,
  memberId: string,
  stream: PartitionStream,
  leaseExpires: number,
): boolean {
  for (const [offset, deliveries] of stream.pendingAttempts) {
    groups.putAttempt(groupId, stream.partition, offset, deliveries);
  }
  stream.pendingAttempts.clear();
  const saved = groups.save(groupId, stream.partition, memberId, stream.epoch, {
    floor: stream.floor,
    acked: stream.ackedJson(),
    dispatched: stream.dispatchedMark(),
    leaseExpires,
  });
  if (saved && stream.dirty) groups.trimAttempts(groupId, stream.partition, stream.floor);
  stream.dirty = false;
  return saved;
}

/** Commits the partition's final state and gives up its lease, so any member may claim it at once. */
export function releaseStream(
  groups: GroupStore,
  groupId: number,
  memberId: string,
  stream: PartitionStream,
): void {
  // Everything handed out and not acknowledged has its delivery count recorded (nacks, timeouts),
  // so the next holder counts from the floor without guessing.
  for (const entry of stream.entries.values()) {
    if (entry.deliveries > 0) stream.pendingAttempts.set(entry.message.offset, entry.deliveries);
  }
  for (const [offset, deliveries] of stream.pendingAttempts) {
    groups.putAttempt(groupId, stream.partition, offset, deliveries);
  }
  groups.trimAttempts(groupId, stream.partition, stream.floor);
  groups.release(groupId, stream.partition, memberId, stream.epoch, {
    floor: stream.floor,
    acked: stream.ackedJson(),
    dispatched: stream.floor,
    now: Date.now(),
  });
}
