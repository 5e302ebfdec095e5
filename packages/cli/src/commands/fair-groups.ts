import type { Command } from 'commander';
import type { FairGroupListResponse } from '@eddy/server/api';
import type { CliContext } from '../context.js';
import { printJson, printTable } from '../output.js';

/** `eddy fair-groups [--topic t]`: handlers with fair groups, one row per key, busiest first. */
export function registerFairGroups(program: Command, ctx: CliContext): void {
  program
    .command('fair-groups')
    .description('fair groups of the gateway’s buses: per key, deliveries running, waiting and started')
    .option('-t, --topic <topic>', 'only handlers of this topic')
    .option('--limit <n>', 'most keys shown per handler', '20')
    .action(async (options: { topic?: string; limit: string }, command: Command) => {
      const query = options.topic === undefined ? '' : `?topic=${encodeURIComponent(options.topic)}`;
      const { fairGroups } = await ctx.client(command).get<FairGroupListResponse>(`/v1/fair-groups${query}`);
      if (ctx.json(command)) return printJson(ctx.io, fairGroups);
      const limit = Math.max(1, Number.parseInt(options.limit, 10) || 20);
      printTable(
        ctx.io,
        ['HANDLER', 'GROUP', 'KEY', 'RUNNING', 'WAITING', 'DELIVERED', 'LIMITS'],
        fairGroups.flatMap((group) => {
          const limits = [
            `concurrency=${group.concurrency}`,
            ...(group.ratePerSecond === undefined ? [] : [`rate=${group.ratePerSecond}/s`]),
            group.shared ? 'shared' : 'per-process',
          ].join(' ');
          return group.keys
            .slice(0, limit)
            .map((key) => [
              group.handler,
              group.group,
              key.key === '' ? '""' : key.key,
              key.running,
              key.waiting,
              key.delivered,
              limits,
            ]);
        }),
      );
    });
}
