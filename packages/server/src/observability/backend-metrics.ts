import { Gauge, type Registry } from 'prom-client';
import type { BackendAdmin } from '../admin/backend-admin.js';
import { isInternalGroup, isInternalTopic } from '../admin/internal-names.js';
import type { DeadLetterAdmin } from '@eddy/core';

/** What one scrape reads from the backend. */
interface Snapshot {
  readonly topics: readonly { name: string; messages: number; bytes: number }[];
  readonly groups: readonly { topic: string; group: string; lag: number; members: number }[];
  readonly dlq: readonly { topic: string; depth: number }[];
}

/** Gauges read on scrape share one snapshot this fresh, so a scrape asks the backend once. */
const SNAPSHOT_TTL_MS = 1_000;

/**
 * Gauges of the backend's state, read when Prometheus scrapes (prom-client `collect`), so there is
 * something to alert on: consumer lag, dead-letter depth and topic size. Without a transport admin
 * (RabbitMQ, NATS, ActiveMQ) they stay empty. A backend that fails to answer leaves them empty for
 * that scrape rather than failing `/metrics`.
 */
export function registerBackendMetrics(
  registry: Registry,
  source: { readonly admin: BackendAdmin | undefined; readonly dlq: DeadLetterAdmin },
): void {
  let cached: { at: number; snapshot: Promise<Snapshot | undefined> } | undefined;
  const read = async (): Promise<Snapshot | undefined> => {
    const { admin } = source;
    if (admin === undefined) return undefined;
    try {
      const [topics, groups] = await Promise.all([admin.listTopics(), admin.listGroups()]);
      const queues = topics.filter((topic) => topic.name.endsWith('.dlq'));
      // Live entries: redriven and purged ones stay stored in the dead-letter topic.
      const depths = await Promise.all(
        queues.map(async (queue) => (await source.dlq.list(queue.name)).length),
      );
      return {
        topics: topics.filter((topic) => !isInternalTopic(topic.name)),
        groups: groups.filter((group) => !isInternalGroup(group.group)),
        dlq: queues.map((queue, index) => ({ topic: queue.name, depth: depths[index] ?? 0 })),
      };
    } catch {
      return undefined;
    }
  };
  const snapshot = (): Promise<Snapshot | undefined> => {
    const now = Date.now();
    if (cached === undefined || now - cached.at > SNAPSHOT_TTL_MS) cached = { at: now, snapshot: read() };
    return cached.snapshot;
  };
  const registers = [registry];

  new Gauge({
    name: 'eddy_gateway_consumer_lag',
    help: 'Messages of a topic a consumer group has not acknowledged yet (read on scrape).',
    labelNames: ['topic', 'group'],
    registers,
    async collect() {
      const state = await snapshot();
      this.reset();
      for (const group of state?.groups ?? [])
        this.set({ topic: group.topic, group: group.group }, group.lag);
    },
  });
  new Gauge({
    name: 'eddy_gateway_consumer_members',
    help: 'Live members of a consumer group (read on scrape); 0 with lag growing means nobody consumes.',
    labelNames: ['topic', 'group'],
    registers,
    async collect() {
      const state = await snapshot();
      this.reset();
      for (const group of state?.groups ?? [])
        this.set({ topic: group.topic, group: group.group }, group.members);
    },
  });
  new Gauge({
    name: 'eddy_gateway_dlq_depth',
    help: 'Entries waiting in a dead-letter queue: neither redriven nor purged (read on scrape).',
    labelNames: ['topic'],
    registers,
    async collect() {
      const state = await snapshot();
      this.reset();
      for (const queue of state?.dlq ?? []) this.set({ topic: queue.topic }, queue.depth);
    },
  });
  new Gauge({
    name: 'eddy_gateway_topic_messages',
    help: 'Messages stored in a topic, all partitions (read on scrape).',
    labelNames: ['topic'],
    registers,
    async collect() {
      const state = await snapshot();
      this.reset();
      for (const topic of state?.topics ?? []) this.set({ topic: topic.name }, topic.messages);
    },
  });
  new Gauge({
    name: 'eddy_gateway_topic_bytes',
    help: 'Bytes stored in a topic, all partitions; 0 where the backend cannot tell cheaply (read on scrape).',
    labelNames: ['topic'],
    registers,
    async collect() {
      const state = await snapshot();
      this.reset();
      for (const topic of state?.topics ?? []) this.set({ topic: topic.name }, topic.bytes);
    },
  });
}
