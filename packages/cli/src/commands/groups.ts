import type { Command } from 'commander';
import type { GroupListResponse } from '@eddy/server/api';
import type { CliContext } from '../context.js';
import { offsetText, printJson, printTable } from '../output.js';

/** `eddy groups [--topic t] [--partitions]`: consumer groups with their lag. */
export function registerGroups(program: Command, ctx: CliContext): void {
  program
    .command('groups')
    .description('list consumer groups with their lag (per partition with --partitions)')
    .option('-t, --topic <topic>', 'only groups of this topic')
    .option('-p, --partitions', 'one row per partition: position, lag and owner')
    .action(async (options: { topic?: string; partitions?: boolean }, command: Command) => {
      const query = options.topic === undefined ? '' : `?topic=${encodeURIComponent(options.topic)}`;
      const { groups } = await ctx.client(command).get<GroupListResponse>(`/v1/groups${query}`);
      if (ctx.json(command)) return printJson(ctx.io, groups);
      if (options.partitions === true) {
        printTable(
          ctx.io,
          ['TOPIC', 'GROUP', 'PARTITION', 'POSITION', 'LAG', 'OWNER'],
          groups.flatMap((g) =>
            g.partitions.map((p) => [g.topic, g.group, p.partition, offsetText(p.position), p.lag, p.owner]),
          ),
        );
        return;
      }
      printTable(
        ctx.io,
        ['TOPIC', 'GROUP', 'LAG', 'MEMBERS'],
        groups.map((g) => [g.topic, g.group, g.lag, g.members]),
      );
    });
}
