import {
  type GroupSummary,
  type ReadRangeOptions,
  type StartPosition,
  type StoredMessageView,
  type TopicSummary,
} from '@eddy/core';
import { assertGroupName, assertTopicName, InvalidOptionError, NotSupportedError } from '@eddy/core/internal';
import type { GroupStore } from './group-store.js';
import type { LogStore } from './log-store.js';
import { formatOffset, parseOffset } from './offsets.js';
import { checkRetention, type TopicOptions } from './options.js';
import type { Retention } from './retention.js';
import type { SqliteDatabase } from './connection.js';

/** What the dashboard and the CLI read and do: topics, groups, message ranges, replay, retention. */
export interface SqliteAdmin {
  listTopics(): TopicSummary[];
  listGroups(topic?: string): GroupSummary[];
  readMessages(topic: string, options: ReadRangeOptions): StoredMessageView[];
  /** Creates a topic, or updates the retention of an existing one (partitions cannot change). */
  createTopic(name: string, options?: TopicOptions): void;
  /** Moves a group to `to` on every partition and revokes its leases: members resume from there (replay). */
  resetGroup(topic: string, group: string, to: StartPosition): void;
  /** Forgets a group: positions, delivery counts and members. False when there was no such group. */
  deleteGroup(topic: string, group: string): boolean;
  /** Applies retention now; resolves with the number of messages removed. */
  applyRetention(): Promise<number>;
}

interface AdminDeps {
  readonly db: SqliteDatabase;
  readonly log: LogStore;
  readonly groups: GroupStore;
  readonly retention: Retention;
  readonly defaultPartitions: number;
  readonly groupChanged: (groupId: number) => void;
}

interface TopicRow {
  topic_id: number;
  name: string;
  partitions: number;
  retention_ms: number | null;
  retention_messages: number | null;
  retention_bytes: number | null;
}

export function createAdmin(deps: AdminDeps): SqliteAdmin {
  const { db, log, groups } = deps;
  const topicsStmt = db.prepare<[], TopicRow>(
    'SELECT topic_id, name, partitions, retention_ms, retention_messages, retention_bytes FROM eddy_topics ORDER BY name',
  );
  const partitionsStmt = db.prepare<
    [number],
    { partition: number; first_offset: number; next_offset: number; bytes: number }
  >(
    'SELECT partition, first_offset, next_offset, bytes FROM eddy_partitions WHERE topic_id = ? ORDER BY partition',
  );
  const groupsStmt = db.prepare<[], { group_id: number; name: string; topic: string; topic_id: number }>(
    `SELECT g.group_id, g.name, t.name AS topic, t.topic_id FROM eddy_groups g JOIN eddy_topics t USING (topic_id)
     ORDER BY t.name, g.name`,
  );
  const membersStmt = db
    .prepare<[number, number], number>(
      'SELECT count(*) FROM eddy_members WHERE group_id = ? AND expires_at >= ?',
    )
    .pluck();
  const updateRetention = db.prepare(
    'UPDATE eddy_topics SET retention_ms = ?, retention_messages = ?, retention_bytes = ? WHERE name = ?',
  );

  const requireTopic = (name: string) => {
    assertTopicName(name);
    const topic = log.find(name);
    if (topic === undefined)
      throw new InvalidOptionError(`Topic "${name}" does not exist. Publish to it or create it first.`);
    return topic;
  };

  return {
    listTopics() {
      return topicsStmt.all().map((row) => {
        const partitionInfo = partitionsStmt.all(row.topic_id).map((p) => ({
          partition: p.partition,
          firstOffset: formatOffset(p.first_offset),
          lastOffset: p.next_offset > p.first_offset ? formatOffset(p.next_offset - 1) : undefined,
          messages: p.next_offset - p.first_offset,
          bytes: p.bytes,
        }));
        return {
          name: row.name,
          partitions: row.partitions,
          messages: partitionInfo.reduce((sum, p) => sum + p.messages, 0),
          bytes: partitionInfo.reduce((sum, p) => sum + p.bytes, 0),
          retentionMs: row.retention_ms ?? undefined,
          retentionMessages: row.retention_messages ?? undefined,
          retentionBytes: row.retention_bytes ?? undefined,
          partitionInfo,
        };
      });
    },

    listGroups(topic) {
      const now = Date.now();
      return groupsStmt
        .all()
        .filter((row) => topic === undefined || row.topic === topic)
        .map((row) => {
          const bounds = new Map(partitionsStmt.all(row.topic_id).map((p) => [p.partition, p]));
          const partitions = groups.partitions(row.group_id).map((p) => {
            const next = bounds.get(p.partition)?.next_offset ?? p.ack_floor;
            const first = bounds.get(p.partition)?.first_offset ?? 0;
            // Offsets removed by retention are no longer lag: they can never be delivered.
            const from = Math.max(p.ack_floor, first);
            const acked =
              p.acked === null ? 0 : (JSON.parse(p.acked) as number[]).filter((o) => o >= from).length;
            return {
              partition: p.partition,
              position: formatOffset(p.ack_floor),
              lag: Math.max(0, next - from - acked),
              owner: p.owner !== null && p.lease_expires >= now ? p.owner : undefined,
              behindRetention: p.ack_floor < first,
            };
          });
          return {
            topic: row.topic,
            group: row.name,
            lag: partitions.reduce((sum, p) => sum + p.lag, 0),
            members: membersStmt.get(row.group_id, now) ?? 0,
            partitions,
          };
        });
    },

    readMessages(topicName, options) {
      const topic = requireTopic(topicName);
      if (
        !Number.isInteger(options.partition) ||
        options.partition < 0 ||
        options.partition >= topic.partitions
      ) {
        throw new InvalidOptionError(
          `Topic "${topicName}" has partitions 0..${topic.partitions - 1}, got ${options.partition}.`,
        );
      }
      const from =
        options.fromOffset === undefined
          ? log.firstOffset(topic, options.partition)
          : parseOffset(options.fromOffset);
      const limit = options.limit ?? 100;
      if (!Number.isInteger(limit) || limit < 1)
        throw new InvalidOptionError(`limit must be a positive integer, got ${limit}.`);
      return log
        .read(topic, options.partition, from, limit)
        .messages.slice(0, limit)
        .map((message) => ({
          topic: topicName,
          partition: message.partition,
          offset: formatOffset(message.offset),
          key: message.key,
          headers: message.headers,
          payload: message.payload,
          publishedAt: message.publishedAt,
          deliverAt: message.deliverAt,
        }));
    },

    createTopic(name, options = {}) {
      assertTopicName(name);
      checkRetention('createTopic', options);
      const topic = log.ensure(name, options, deps.defaultPartitions, {});
      if (options.partitions !== undefined && options.partitions !== topic.partitions) {
        throw new NotSupportedError(
          `Topic "${name}" already has ${topic.partitions} partitions; the count cannot change because keys would move. Create a new topic instead.`,
        );
      }
      const given = [options.retentionMs, options.retentionMessages, options.retentionBytes];
      if (given.every((value) => value === undefined)) return;
      updateRetention.run(
        options.retentionMs ?? null,
        options.retentionMessages ?? null,
        options.retentionBytes ?? null,
        name,
      );
    },

    resetGroup(topicName, group, to) {
      const topic = requireTopic(topicName);
      assertGroupName(group);
      const row = groups.find(topic, group);
      if (row === undefined) {
        groups.ensure(topic, group, to);
        return;
      }
      groups.reset(topic, row.group_id, to);
      deps.groupChanged(row.group_id);
    },

    deleteGroup(topicName, group) {
      const topic = requireTopic(topicName);
      assertGroupName(group);
      const row = groups.find(topic, group);
      if (row === undefined) return false;
      db.transaction(() => {
        for (const table of ['eddy_attempts', 'eddy_members', 'eddy_group_partitions', 'eddy_groups']) {
          db.prepare(`DELETE FROM ${table} WHERE group_id = ?`).run(row.group_id);
        }
      }).immediate();
      deps.groupChanged(row.group_id);
      return true;
    },

    applyRetention() {
      return deps.retention.run();
    },
  };
}
