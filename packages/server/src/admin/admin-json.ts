import type { DeadLetterEntry, GroupSummary, StoredMessageView, TopicSummary } from '@eddy/core';
import { cloudEventJson, eventJsonOf, rawMessageJson } from '../consume/delivery.js';
import type {
  DeadLetterJson,
  GroupJson,
  PartitionJson,
  StoredMessageJson,
  TopicJson,
} from '../http/api-types.js';

// The admin port reports "does not apply" as `undefined`; JSON leaves such members out, and so do
// these mappings, so that what a route replies is exactly what `@eddy/server/api` promises.

const isoOrNull = (epochMs: number): string | null =>
  Number.isFinite(epochMs) ? new Date(epochMs).toISOString() : null;

export function topicJson(topic: TopicSummary): TopicJson {
  return {
    name: topic.name,
    partitions: topic.partitions,
    messages: topic.messages,
    bytes: topic.bytes,
    ...(topic.retentionMs === undefined ? {} : { retentionMs: topic.retentionMs }),
    ...(topic.retentionMessages === undefined ? {} : { retentionMessages: topic.retentionMessages }),
    ...(topic.retentionBytes === undefined ? {} : { retentionBytes: topic.retentionBytes }),
    partitionInfo: topic.partitionInfo.map((partition): PartitionJson => ({
      partition: partition.partition,
      firstOffset: partition.firstOffset,
      ...(partition.lastOffset === undefined ? {} : { lastOffset: partition.lastOffset }),
      messages: partition.messages,
      bytes: partition.bytes,
    })),
  };
}

export function groupJson(group: GroupSummary): GroupJson {
  return {
    topic: group.topic,
    group: group.group,
    lag: group.lag,
    members: group.members,
    partitions: group.partitions.map((partition) => ({
      partition: partition.partition,
      position: partition.position,
      lag: partition.lag,
      ...(partition.owner === undefined ? {} : { owner: partition.owner }),
      behindRetention: partition.behindRetention,
    })),
  };
}

export function storedMessageJson(message: StoredMessageView): StoredMessageJson {
  const event = eventJsonOf(message);
  return {
    partition: message.partition,
    offset: message.offset,
    key: message.key ?? null,
    publishedAt: new Date(message.publishedAt).toISOString(),
    event: event ?? null,
    ...(event === undefined ? { raw: rawMessageJson(message) } : {}),
  };
}

/** A dead-letter entry: the original event in structured form (or the raw message) and why it failed. */
export function deadLetterJson(entry: DeadLetterEntry): DeadLetterJson {
  const { metadata } = entry;
  return {
    id: entry.id,
    deadLetterTopic: entry.deadLetterTopic,
    partition: entry.position.partition,
    offset: entry.position.offset,
    deadLetteredAt: new Date(entry.deadLetteredAt).toISOString(),
    key: entry.key ?? null,
    event: entry.event === undefined ? null : cloudEventJson(entry.event),
    ...(entry.event === undefined ? { raw: rawMessageJson(entry) } : {}),
    error: {
      name: metadata.errorName,
      message: metadata.errorMessage,
      stack: metadata.errorStack ?? null,
      code: metadata.errorCode ?? null,
    },
    attempts: metadata.attempts,
    firstFailureAt: isoOrNull(metadata.firstFailureAt),
    lastFailureAt: isoOrNull(metadata.lastFailureAt),
    original: {
      topic: metadata.topic,
      partition: metadata.partition,
      offset: metadata.offset,
      handler: metadata.handler,
      group: metadata.group,
    },
  };
}
