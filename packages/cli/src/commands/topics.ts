import type { Command } from 'commander';
import type { TopicDetailResponse, TopicListResponse } from '@eddy/server/api';
import { seg } from '../client.js';
import type { CliContext } from '../context.js';
import { offsetText, printJson, printTable } from '../output.js';

/** `eddy topics [name]`: every topic with its counts, or one topic with partitions and groups. */
export function registerTopics(program: Command, ctx: CliContext): void {
  program
    .command('topics')
    .description('list topics with message counts, or show one topic with its partitions and groups')
    .argument('[topic]', 'show this topic in detail')
    .action(async (topic: string | undefined, _options: object, command: Command) => {
      const client = ctx.client(command);
      if (topic === undefined) {
        const { topics } = await client.get<TopicListResponse>('/v1/topics');
        if (ctx.json(command)) return printJson(ctx.io, topics);
        printTable(
          ctx.io,
          ['TOPIC', 'PARTITIONS', 'MESSAGES', 'BYTES'],
          topics.map((t) => [t.name, t.partitions, t.messages, t.bytes]),
        );
        return;
      }
      const detail = await client.get<TopicDetailResponse>(`/v1/topics/${seg(topic)}`);
      if (ctx.json(command)) return printJson(ctx.io, detail);
      ctx.io.stdout.write(
        `${detail.topic.name}: ${detail.topic.messages} messages, ${detail.topic.bytes} bytes\n\n`,
      );
      printTable(
        ctx.io,
        ['PARTITION', 'FIRST', 'LAST', 'MESSAGES'],
        detail.topic.partitionInfo.map((p) => [
          p.partition,
          offsetText(p.firstOffset),
          offsetText(p.lastOffset),
          p.messages,
        ]),
      );
      ctx.io.stdout.write('\n');
      printTable(
        ctx.io,
        ['GROUP', 'LAG', 'MEMBERS'],
        detail.groups.map((g) => [g.group, g.lag, g.members]),
      );
    });
}
