import type { StartPosition, Transport } from '@eddy/core';
import type {
  GroupSummary,
  ReadRangeOptions,
  StoredMessageView,
  TopicOptions,
  TopicSummary,
} from '@eddy/sqlite';

type MaybePromise<T> = T | Promise<T>;

/**
 * Topic and group administration the gateway exposes. The transport contract has no admin part,
 * so the gateway uses a transport's `admin` property when it has this shape (the SQLite
 * transport's does); with other transports the admin routes answer 501 `EDDY_NOT_SUPPORTED`, and
 * the DLQ routes still work through core's dead-letter admin.
 */
export interface BackendAdmin {
  listTopics(): MaybePromise<TopicSummary[]>;
  listGroups(topic?: string): MaybePromise<GroupSummary[]>;
  readMessages(topic: string, options: ReadRangeOptions): MaybePromise<StoredMessageView[]>;
  createTopic(name: string, options?: TopicOptions): MaybePromise<void>;
  resetGroup(topic: string, group: string, to: StartPosition): MaybePromise<void>;
}

const METHODS = ['listTopics', 'listGroups', 'readMessages', 'createTopic', 'resetGroup'] as const;

/** The transport's admin, when it offers every method the gateway needs. */
export function adminOf(transport: Transport): BackendAdmin | undefined {
  const admin = (transport as { admin?: unknown }).admin;
  if (typeof admin !== 'object' || admin === null) return undefined;
  const candidate = admin as Record<string, unknown>;
  return METHODS.every((method) => typeof candidate[method] === 'function')
    ? (admin as BackendAdmin)
    : undefined;
}
