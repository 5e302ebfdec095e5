import { InvalidOptionError } from '@eddy/core/internal';
import type { Command } from 'commander';
import type {
  DeadLetterEntryResponse,
  DeadLetterJson,
  DeadLetterListResponse,
  DeadLetterQueueListResponse,
  DeadLetterSelectionRequest,
  PurgeResponse,
  RedriveResponse,
} from '@eddy/server/api';
import { seg, type EddyClient } from '../client.js';
import type { CliContext } from '../context.js';
import { printJson, printTable, startProgress } from '../output.js';

/** Entries per redrive/purge request, so a large queue shows progress and no request runs long. */
const CHUNK = 50;

/** `orders` and `orders.dlq` both name the dead-letter topic `orders.dlq`. */
export function dlqTopicOf(name: string): string {
  return name.endsWith('.dlq') ? name : `${name}.dlq`;
}

async function entriesOf(client: EddyClient, topic: string): Promise<readonly DeadLetterJson[]> {
  return (await client.get<DeadLetterListResponse>(`/v1/dlq/${seg(topic)}/entries?limit=10000`)).entries;
}

/** Redrives or purges the given ids (every entry when none), in chunks with a progress bar. */
async function settle(
  ctx: CliContext,
  command: Command,
  action: 'redrive' | 'purge',
  name: string,
  ids: readonly string[] | undefined,
): Promise<void> {
  const client = ctx.client(command);
  const topic = dlqTopicOf(name);
  const selected = ids ?? (await entriesOf(client, topic)).map((entry) => entry.id);
  const progress = startProgress(
    ctx.io,
    action === 'redrive' ? 'redriving' : 'purging',
    selected.length,
    !ctx.json(command),
  );
  let done = 0;
  try {
    for (let start = 0; start < selected.length; start += CHUNK) {
      const chunk = selected.slice(start, start + CHUNK);
      const body: DeadLetterSelectionRequest = { ids: chunk };
      const path = `/v1/dlq/${seg(topic)}/${action}`;
      done +=
        action === 'redrive'
          ? (await client.post<RedriveResponse>(path, body)).redriven
          : (await client.post<PurgeResponse>(path, body)).purged;
      progress.tick(chunk.length);
    }
  } finally {
    progress.stop();
  }
  const key = action === 'redrive' ? 'redriven' : 'purged';
  if (ctx.json(command)) return printJson(ctx.io, { topic, [key]: done });
  ctx.io.stdout.write(`${key} ${done} of ${selected.length} entries from ${topic}\n`);
}

/** `eddy dlq ls|show|redrive|purge`. */
export function registerDlq(program: Command, ctx: CliContext): void {
  const dlq = program.command('dlq').description('dead-letter queues: list, inspect, redrive, purge');

  dlq
    .command('ls')
    .description('list dead-letter topics, or the entries of one')
    .argument('[topic]', 'a dead-letter topic (orders.dlq, or just orders)')
    .action(async (name: string | undefined, _flags: object, command: Command) => {
      const client = ctx.client(command);
      if (name === undefined) {
        const { queues } = await client.get<DeadLetterQueueListResponse>('/v1/dlq');
        if (ctx.json(command)) return printJson(ctx.io, queues);
        printTable(
          ctx.io,
          ['DLQ', 'ENTRIES', 'STORED'],
          queues.map((q) => [q.topic, q.messages, q.stored]),
        );
        return;
      }
      const entries = await entriesOf(client, dlqTopicOf(name));
      if (ctx.json(command)) return printJson(ctx.io, entries);
      printTable(
        ctx.io,
        ['ID', 'TYPE', 'HANDLER', 'ATTEMPTS', 'DEAD-LETTERED', 'ERROR'],
        entries.map((e) => [
          e.id,
          e.event?.type,
          e.original.handler,
          e.attempts,
          e.deadLetteredAt,
          e.error.message.length > 60 ? `${e.error.message.slice(0, 57)}...` : e.error.message,
        ]),
      );
    });

  dlq
    .command('show')
    .description('inspect one entry: the original event, the error and its stack')
    .argument('<topic>', 'dead-letter topic')
    .argument('<id>', 'entry id (<partition>:<offset>, from dlq ls)')
    .action(async (name: string, id: string, _flags: object, command: Command) => {
      const { entry } = await ctx
        .client(command)
        .get<DeadLetterEntryResponse>(`/v1/dlq/${seg(dlqTopicOf(name))}/entries/${seg(id)}`);
      if (ctx.json(command)) return printJson(ctx.io, entry);
      const out = ctx.io.stdout;
      out.write(`entry      ${entry.id} in ${entry.deadLetterTopic}\n`);
      out.write(`from       ${entry.original.topic}[${entry.original.partition}]@${entry.original.offset}\n`);
      out.write(`handler    ${entry.original.handler} (group ${entry.original.group})\n`);
      out.write(`attempts   ${entry.attempts}, dead-lettered ${entry.deadLetteredAt}\n`);
      const code = entry.error.code === null ? '' : ` [${entry.error.code}]`;
      out.write(`error      ${entry.error.name}${code}: ${entry.error.message}\n`);
      // An entry whose message is not a CloudEvent (often why it failed) comes with the raw message.
      if (entry.event === null) out.write(`raw message\n${JSON.stringify(entry.raw ?? null, null, 2)}\n`);
      else out.write(`event\n${JSON.stringify(entry.event, null, 2)}\n`);
      if (entry.error.stack !== null) out.write(`stack\n${entry.error.stack}\n`);
    });

  for (const action of ['redrive', 'purge'] as const) {
    dlq
      .command(action)
      .description(
        action === 'redrive'
          ? 'republish entries to their original topic for the handler that failed (all, or --id)'
          : 'drop entries for good (all, or --id); asks for --yes when dropping all',
      )
      .argument('<topic>', 'dead-letter topic')
      .option('--id <id...>', 'only these entries')
      .option('-y, --yes', 'confirm dropping every entry (purge)')
      .action(async (name: string, flags: { id?: string[]; yes?: boolean }, command: Command) => {
        if (action === 'purge' && flags.id === undefined && flags.yes !== true) {
          throw new InvalidOptionError(
            'Purging every entry cannot be undone: add --yes, or pick entries with --id.',
          );
        }
        await settle(ctx, command, action, name, flags.id);
      });
  }
}
