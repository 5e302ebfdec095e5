import type { StartPosition } from '@eddy/core';
import type { TopicInfo } from './log-store.js';
import { parseOffset } from './offsets.js';
import type { SqliteDatabase } from './connection.js';

export interface GroupPartitionRow {
  partition: number;
  ack_floor: number;
  acked: string | null;
  dispatched: number;
  owner: string | null;
  lease_expires: number;
  epoch: number;
}

export interface GroupRow {
  group_id: number;
  name: string;
  topic_id: number;
}

/** Durable state of consumer groups: positions, acked sets, leases, members, delivery attempts. */
export class GroupStore {
  readonly #db: SqliteDatabase;
  readonly #stmt;

  constructor(db: SqliteDatabase) {
    this.#db = db;
    this.#stmt = {
      group: db.prepare<[number, string], GroupRow>(
        'SELECT group_id, name, topic_id FROM eddy_groups WHERE topic_id = ? AND name = ?',
      ),
      insertGroup: db.prepare('INSERT INTO eddy_groups (topic_id, name, created_at) VALUES (?, ?, ?)'),
      insertPartition: db.prepare(
        `INSERT INTO eddy_group_partitions (group_id, partition, ack_floor, dispatched) VALUES (?, ?, ?, ?)
         ON CONFLICT DO NOTHING`,
      ),
      partitionBounds: db.prepare<[number, number], { first_offset: number; next_offset: number }>(
        'SELECT first_offset, next_offset FROM eddy_partitions WHERE topic_id = ? AND partition = ?',
      ),
      offsetAtTime: db
        .prepare<[number, number, number], number>(
          `SELECT base_offset FROM eddy_batches WHERE topic_id = ? AND partition = ? AND published_at >= ?
           ORDER BY last_offset LIMIT 1`,
        )
        .pluck(),
      upsertMember: db.prepare(
        `INSERT INTO eddy_members (group_id, member_id, expires_at) VALUES (?, ?, ?)
         ON CONFLICT (group_id, member_id) DO UPDATE SET expires_at = excluded.expires_at`,
      ),
      expireMembers: db.prepare('DELETE FROM eddy_members WHERE group_id = ? AND expires_at < ?'),
      countMembers: db
        .prepare<[number], number>('SELECT count(*) FROM eddy_members WHERE group_id = ?')
        .pluck(),
      leave: db.prepare('DELETE FROM eddy_members WHERE group_id = ? AND member_id = ?'),
      partitions: db.prepare<[number], GroupPartitionRow>(
        `SELECT partition, ack_floor, acked, dispatched, owner, lease_expires, epoch FROM eddy_group_partitions
         WHERE group_id = ? ORDER BY partition`,
      ),
      partition: db.prepare<[number, number], GroupPartitionRow>(
        `SELECT partition, ack_floor, acked, dispatched, owner, lease_expires, epoch FROM eddy_group_partitions
         WHERE group_id = ? AND partition = ?`,
      ),
      claim: db.prepare(
        `UPDATE eddy_group_partitions SET owner = ?, lease_expires = ?, epoch = epoch + 1
         WHERE group_id = ? AND partition = ? AND epoch = ?`,
      ),
      renew: db.prepare(
        `UPDATE eddy_group_partitions SET lease_expires = ?
         WHERE group_id = ? AND partition = ? AND owner = ? AND epoch = ?`,
      ),
      save: db.prepare(
        `UPDATE eddy_group_partitions SET ack_floor = ?, acked = ?, dispatched = max(dispatched, ?), lease_expires = ?
         WHERE group_id = ? AND partition = ? AND owner = ? AND epoch = ?`,
      ),
      release: db.prepare(
        `UPDATE eddy_group_partitions SET ack_floor = ?, acked = ?, dispatched = ?, owner = NULL, lease_expires = ?
         WHERE group_id = ? AND partition = ? AND owner = ? AND epoch = ?`,
      ),
      reset: db.prepare(
        `UPDATE eddy_group_partitions SET ack_floor = ?, acked = NULL, dispatched = ?, owner = NULL, lease_expires = 0,
         epoch = epoch + 1 WHERE group_id = ? AND partition = ?`,
      ),
      attempts: db.prepare<[number, number, number], { log_offset: number; deliveries: number }>(
        'SELECT log_offset, deliveries FROM eddy_attempts WHERE group_id = ? AND partition = ? AND log_offset >= ?',
      ),
      putAttempt: db.prepare(
        `INSERT INTO eddy_attempts (group_id, partition, log_offset, deliveries) VALUES (?, ?, ?, ?)
         ON CONFLICT DO UPDATE SET deliveries = max(deliveries, excluded.deliveries)`,
      ),
      trimAttempts: db.prepare(
        'DELETE FROM eddy_attempts WHERE group_id = ? AND partition = ? AND log_offset < ?',
      ),
      clearAttempts: db.prepare('DELETE FROM eddy_attempts WHERE group_id = ?'),
    };
  }

  /** Runs `work` in one write transaction (BEGIN IMMEDIATE, so it never fails on lock upgrade). */
  write<T>(work: () => T): T {
    return this.#db.transaction(work).immediate();
  }

  find(topic: TopicInfo, name: string): GroupRow | undefined {
    return this.#stmt.group.get(topic.id, name);
  }

  /** The group's id, creating the group at `from` when it does not exist. */
  ensure(topic: TopicInfo, name: string, from: StartPosition): number {
    const existing = this.find(topic, name);
    if (existing !== undefined) return existing.group_id;
    return this.write(() => {
      const again = this.find(topic, name);
      if (again !== undefined) return again.group_id;
      const groupId = Number(this.#stmt.insertGroup.run(topic.id, name, Date.now()).lastInsertRowid);
      for (let p = 0; p < topic.partitions; p++) {
        const start = this.startOffset(topic, p, from);
        this.#stmt.insertPartition.run(groupId, p, start, start);
      }
      return groupId;
    });
  }

  /** Where `from` points in one partition. */
  startOffset(topic: TopicInfo, partition: number, from: StartPosition): number {
    const bounds = this.#stmt.partitionBounds.get(topic.id, partition) ?? { first_offset: 0, next_offset: 0 };
    if (from === 'earliest') return bounds.first_offset;
    if (from === 'latest') return bounds.next_offset;
    if ('time' in from) {
      const at = this.#stmt.offsetAtTime.get(topic.id, partition, from.time) ?? bounds.next_offset;
      return Math.max(at, bounds.first_offset);
    }
    const listed = from.positions.find((position) => position.partition === partition);
    if (listed === undefined) return bounds.first_offset;
    return Math.min(Math.max(parseOffset(listed.offset), bounds.first_offset), bounds.next_offset);
  }

  /** Records the member as alive, forgets dead ones, and returns how many are alive. */
  heartbeat(groupId: number, memberId: string, now: number, leaseMs: number): number {
    this.#stmt.upsertMember.run(groupId, memberId, now + leaseMs);
    this.#stmt.expireMembers.run(groupId, now);
    return this.#stmt.countMembers.get(groupId) ?? 1;
  }

  leave(groupId: number, memberId: string): void {
    this.#stmt.leave.run(groupId, memberId);
  }

  partitions(groupId: number): GroupPartitionRow[] {
    return this.#stmt.partitions.all(groupId);
  }

  partition(groupId: number, partition: number): GroupPartitionRow | undefined {
    return this.#stmt.partition.get(groupId, partition);
  }

  /** Takes the lease if nobody changed the row since `epoch` was read; the new epoch is `epoch + 1`. */
  claim(groupId: number, partition: number, memberId: string, epoch: number, leaseExpires: number): boolean {
    return this.#stmt.claim.run(memberId, leaseExpires, groupId, partition, epoch).changes === 1;
  }

  renew(groupId: number, partition: number, memberId: string, epoch: number, leaseExpires: number): boolean {
    return this.#stmt.renew.run(leaseExpires, groupId, partition, memberId, epoch).changes === 1;
  }

  save(
    groupId: number,
    partition: number,
    memberId: string,
    epoch: number,
    state: { floor: number; acked: string | null; dispatched: number; leaseExpires: number },
  ): boolean {
    return (
      this.#stmt.save.run(
        state.floor,
        state.acked,
        state.dispatched,
        state.leaseExpires,
        groupId,
        partition,
        memberId,
        epoch,
      ).changes === 1
    );
  }

  release(
    groupId: number,
    partition: number,
    memberId: string,
    epoch: number,
    state: { floor: number; acked: string | null; dispatched: number; now: number },
  ): boolean {
    return (
      this.#stmt.release.run(
        state.floor,
        state.acked,
        state.dispatched,
        state.now,
        groupId,
        partition,
        memberId,
        epoch,
      ).changes === 1
    );
  }

  /** Moves every partition of the group to `from` and revokes all leases (replay). */
  reset(topic: TopicInfo, groupId: number, from: StartPosition): void {
    this.write(() => {
      for (let p = 0; p < topic.partitions; p++) {
        const start = this.startOffset(topic, p, from);
        this.#stmt.reset.run(start, start, groupId, p);
      }
      this.#stmt.clearAttempts.run(groupId);
    });
  }

  attempts(groupId: number, partition: number, fromOffset: number): Map<number, number> {
    const map = new Map<number, number>();
    for (const row of this.#stmt.attempts.all(groupId, partition, fromOffset))
      map.set(row.log_offset, row.deliveries);
    return map;
  }

  putAttempt(groupId: number, partition: number, offset: number, deliveries: number): void {
    this.#stmt.putAttempt.run(groupId, partition, offset, deliveries);
  }

  trimAttempts(groupId: number, partition: number, floor: number): void {
    this.#stmt.trimAttempts.run(groupId, partition, floor);
  }
}
