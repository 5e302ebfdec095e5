import type { Command } from 'commander';
import type { DedupeListResponse, TopicDedupeResponse } from '@eddy/server/api';
import { seg } from '../client.js';
import type { CliContext } from '../context.js';
import { printJson, printTable } from '../output.js';

const NOT_SUPPORTED =
  'the gateway’s transport has no publish-time dedupe (memory, SQLite and PostgreSQL have it)\n';

/**
 * `eddy dedupe`: publish-dedupe decisions per topic; `eddy dedupe <topic>`: the topic's decisions
 * and its live keys, soonest due first.
 */
export function registerDedupe(program: Command, ctx: CliContext): void {
  program
    .command('dedupe')
    .description('publish-time dedupe: decisions per topic, or a topic’s decisions and live keys')
    .argument('[topic]', 'show this topic’s live keys with their due time')
    .option('--limit <n>', 'most keys listed (1-1000)', '100')
    .action(async (topic: string | undefined, options: { limit: string }, command: Command) => {
      const client = ctx.client(command);
      if (topic === undefined) {
        const body = await client.get<DedupeListResponse>('/v1/dedupe');
        if (ctx.json(command)) return printJson(ctx.io, body);
        if (!body.supported) return void ctx.io.stdout.write(NOT_SUPPORTED);
        printTable(
          ctx.io,
          ['TOPIC', 'PASSED', 'DROPPED', 'REPLACED', 'EXTENDED'],
          body.topics.map((t) => [t.topic, t.passed, t.dropped, t.replaced, t.extended]),
        );
        return;
      }
      const limit = encodeURIComponent(options.limit);
      const body = await client.get<TopicDedupeResponse>(`/v1/topics/${seg(topic)}/dedupe?limit=${limit}`);
      if (ctx.json(command)) return printJson(ctx.io, body);
      if (!body.supported) return void ctx.io.stdout.write(NOT_SUPPORTED);
      const { decisions } = body;
      ctx.io.stdout.write(
        `${topic}: ${decisions.passed} passed, ${decisions.dropped} dropped, ${decisions.replaced} replaced, ${decisions.extended} extended\n`,
      );
      printTable(
        ctx.io,
        ['KEY', 'DUE', 'EXPIRES', 'PARTITION', 'OFFSET'],
        body.keys.map((key) => [key.key, key.dueAt ?? '-', key.expiresAt, key.partition, key.offset]),
      );
    });
}
