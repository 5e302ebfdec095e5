import { dedupeOf, type FairGroupStatus, type Transport } from '@eddy/core';
import type { FastifyInstance } from 'fastify';
import { Gauge, Counter, type Registry } from 'prom-client';
import { topicParams } from '../http/schemas.js';
import type { InflightSource } from '../options.js';
import type {
  DedupeDecisionsJson,
  DedupeListResponse,
  FairGroupJson,
  FairGroupListResponse,
  TopicDedupeResponse,
} from './workload-api-types.js';

type Buses = readonly InflightSource[] | (() => readonly InflightSource[]) | undefined;

const given = (buses: Buses): readonly InflightSource[] =>
  typeof buses === 'function' ? buses() : (buses ?? []);

const fairGroupsOf = (buses: Buses): FairGroupStatus[] =>
  given(buses).flatMap((bus) => bus.fairGroups?.() ?? []);

const fairGroupJson = (status: FairGroupStatus): FairGroupJson => ({
  handler: status.handler,
  topic: status.topic,
  group: status.group,
  concurrency: status.concurrency,
  ...(status.ratePerSecond === undefined ? {} : { ratePerSecond: status.ratePerSecond }),
  buffer: status.buffer,
  shared: status.shared,
  running: status.running,
  waiting: status.waiting,
  keys: status.keys,
});

const noDecisions = (topic: string): DedupeDecisionsJson => ({
  topic,
  dropped: 0,
  replaced: 0,
  extended: 0,
  passed: 0,
});

const json = (description: string) => ({
  '200': { description, content: { 'application/json': {} } },
});

/**
 * What an operator needs to see a noisy tenant or a storm of repeats: `GET /v1/fair-groups` (the
 * fair groups of the gateway's buses, per key), `GET /v1/dedupe` (publish-dedupe decisions per
 * topic) and `GET /v1/topics/:topic/dedupe` (with the topic's live keys).
 */
export function registerWorkloadStatusRoutes(app: FastifyInstance, transport: Transport, buses: Buses): void {
  app.get<{ Querystring: { topic?: string }; Reply: FairGroupListResponse }>(
    '/v1/fair-groups',
    {
      schema: {
        summary: 'Handlers with fair groups: limits, and per key the deliveries running, waiting and started',
        tags: ['admin'],
        querystring: {
          type: 'object',
          additionalProperties: false,
          properties: {
            topic: { type: 'string', minLength: 1, description: 'Only handlers of this topic.' },
          },
        },
      },
      config: {
        access: 'admin',
        doc: {
          responses: json(
            '{ fairGroups: [{ handler, topic, group, concurrency, ratePerSecond?, buffer, shared, running, waiting, keys: [{ key, running, waiting, delivered }] }] }',
          ),
        },
      },
    },
    (request) => {
      const { topic } = request.query;
      return {
        fairGroups: fairGroupsOf(buses)
          .filter((status) => topic === undefined || status.topic === topic)
          .map(fairGroupJson),
      };
    },
  );

  app.get<{ Reply: DedupeListResponse }>(
    '/v1/dedupe',
    {
      schema: {
        summary: 'Publish-dedupe decisions per topic (dropped, replaced, extended, passed)',
        tags: ['admin'],
      },
      config: {
        access: 'admin',
        doc: { responses: json('{ supported, topics: [{ topic, dropped, replaced, extended, passed }] }') },
      },
    },
    () => {
      const view = dedupeOf(transport);
      return { supported: view !== undefined, topics: view?.decisions() ?? [] };
    },
  );

  app.get<{ Params: { topic: string }; Querystring: { limit?: number }; Reply: TopicDedupeResponse }>(
    '/v1/topics/:topic/dedupe',
    {
      schema: {
        summary: 'A topic’s publish-dedupe decisions and its live keys, soonest due first',
        tags: ['admin'],
        params: topicParams,
        querystring: {
          type: 'object',
          additionalProperties: false,
          properties: {
            limit: { type: 'integer', minimum: 1, maximum: 1_000, description: 'Most keys. Default 100.' },
          },
        },
      },
      config: {
        access: 'admin',
        doc: {
          responses: json(
            '{ supported, decisions: { topic, dropped, replaced, extended, passed }, keys: [{ key, partition, offset, firstAt, dueAt?, expiresAt }] }',
          ),
        },
      },
    },
    async (request) => {
      const { topic } = request.params;
      const view = dedupeOf(transport);
      if (view === undefined) return { supported: false, decisions: noDecisions(topic), keys: [] };
      const keys = await view.keys(topic, request.query.limit);
      return {
        supported: true,
        decisions: view.decisions().find((counts) => counts.topic === topic) ?? noDecisions(topic),
        keys: keys.map((key) => ({
          key: key.key,
          partition: key.partition,
          offset: key.offset,
          firstAt: new Date(key.firstAt).toISOString(),
          ...(key.dueAt === undefined ? {} : { dueAt: new Date(key.dueAt).toISOString() }),
          expiresAt: new Date(key.expiresAt).toISOString(),
        })),
      };
    },
  );
}

/**
 * Fair-group and dedupe figures read on scrape. Per handler, not per key: keys are unbounded (one
 * per customer) and would make as many series; `GET /v1/fair-groups` has them per key.
 */
export function registerWorkloadMetrics(registry: Registry, transport: Transport, buses: Buses): void {
  const registers = [registry];
  const perHandler = (name: string, help: string, value: (status: FairGroupStatus) => number): void => {
    new Gauge({
      name,
      help,
      labelNames: ['topic', 'group'],
      registers,
      collect() {
        this.reset();
        for (const status of fairGroupsOf(buses)) {
          this.inc({ topic: status.topic, group: status.group }, value(status));
        }
      },
    });
  };
  perHandler(
    'eddy_fair_group_running',
    'Deliveries of a fair-group handler running now (read on scrape).',
    (s) => s.running,
  );
  perHandler(
    'eddy_fair_group_waiting',
    'Deliveries of a fair-group handler fetched and waiting for their key’s turn (read on scrape).',
    (s) => s.waiting,
  );
  perHandler(
    'eddy_fair_group_active_keys',
    'Keys of a fair-group handler with a delivery running or waiting (read on scrape).',
    (s) => s.keys.filter((key) => key.running + key.waiting > 0).length,
  );
  new Counter({
    name: 'eddy_dedupe_decisions_total',
    help: 'Publishes with dedupe through this process’s transport, by what they came to (dropped, replaced, extended, passed).',
    labelNames: ['topic', 'decision'],
    registers,
    collect() {
      this.reset();
      for (const counts of dedupeOf(transport)?.decisions() ?? []) {
        for (const decision of ['dropped', 'replaced', 'extended', 'passed'] as const) {
          this.inc({ topic: counts.topic, decision }, counts[decision]);
        }
      }
    },
  });
}
