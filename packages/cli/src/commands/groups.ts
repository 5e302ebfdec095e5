import type { Command } from 'commander';
import type { GroupListResponse } from '@eddy/server/api';
import { seg } from '../client.js';
import type { CliContext } from '../context.js';
import { offsetText, printJson, printTable } from '../output.js';

/** `eddy groups [--topic t] [--partitions]`: consumer groups with their lag; `groups delete`. */
export function registerGroups(program: Command, ctx: CliContext): void {
  const groups = program
    .command('groups')
    .description('consumer groups: list with lag (the default), delete');
  groups
    .command('list', { isDefault: true })
    .description('list consumer groups with their lag (per partition with --partitions)')
    .option('-t, --topic <topic>', 'only groups of this topic (exit 4 if it does not exist)')
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
  groups
    .command('delete')
    .description('delete a consumer group (stop its consumers first; exit 4 if it does not exist)')
    .argument('<topic>', 'topic the group reads')
    .argument('<group>', 'consumer group')
    .action(async (topic: string, group: string, _flags: object, command: Command) => {
      await ctx.client(command).request('DELETE', `/v1/topics/${seg(topic)}/groups/${seg(group)}`);
      if (ctx.json(command)) return printJson(ctx.io, { topic, group, deleted: true });
      ctx.io.stdout.write(`deleted group ${group} of ${topic}\n`);
    });
}
