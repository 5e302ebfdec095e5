import { readFileSync } from 'node:fs';
import { InvalidOptionError } from '@eddy/core/internal';
import type { Command } from 'commander';
import type { PublishedPosition, PublishResponse } from '@eddy/server/api';
import { seg } from '../client.js';
import type { CliContext } from '../context.js';
import { BadInputError } from '../errors.js';
import { printJson, startProgress } from '../output.js';

interface PublishFlags {
  type?: string;
  key?: string;
  file?: string;
  batchSize: string;
}

function parseData(text: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch {
    // Not JSON: publish the text as a string, which is what `eddy publish t hello` means.
    return text;
  }
}

/** Lines of a JSON-lines file as publish envelopes: `{ type?, key?, data, ... }`, or bare data. */
function readEnvelopes(path: string, flags: PublishFlags): Record<string, unknown>[] {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (error) {
    throw new BadInputError(`Cannot read ${path}: ${(error as Error).message}. Give a JSON-lines file.`);
  }
  return text
    .split('\n')
    .map((line, index) => ({ line: line.trim(), number: index + 1 }))
    .filter(({ line }) => line !== '')
    .map(({ line, number }) => {
      let value: unknown;
      try {
        value = JSON.parse(line);
      } catch {
        throw new BadInputError(
          `${path}:${number} is not JSON. Each line must be one event: {"type":…,"data":…}.`,
        );
      }
      const envelope =
        typeof value === 'object' && value !== null && !Array.isArray(value) && 'data' in value
          ? (value as Record<string, unknown>)
          : { data: value };
      return {
        ...(flags.type === undefined ? {} : { type: flags.type }),
        ...(flags.key === undefined ? {} : { key: flags.key }),
        ...envelope,
      };
    });
}

/** `eddy publish <topic> [data]` or `eddy publish <topic> --file events.jsonl`. */
export function registerPublish(program: Command, ctx: CliContext): void {
  program
    .command('publish')
    .description('publish one event (data as JSON), or every line of a JSON-lines file with --file')
    .argument('<topic>', 'topic to publish to')
    .argument('[data]', 'event data, JSON (plain text is sent as a string); "-" reads it from stdin')
    .option('--type <type>', 'event type (default: the topic name)')
    .option('-k, --key <key>', 'partition key: events with one key keep their order')
    .option('-f, --file <path>', 'JSON-lines file, one event per line ({"type","key","data"} or bare data)')
    .option('--batch-size <n>', 'events per request with --file', '100')
    .action(async (topic: string, data: string | undefined, flags: PublishFlags, command: Command) => {
      const client = ctx.client(command);
      const batchSize = Number(flags.batchSize);
      if (!Number.isInteger(batchSize) || batchSize < 1 || batchSize > 1000) {
        throw new InvalidOptionError(`--batch-size must be an integer 1-1000, got "${flags.batchSize}".`);
      }
      let envelopes: Record<string, unknown>[];
      if (flags.file !== undefined) {
        envelopes = readEnvelopes(flags.file, flags);
      } else if (data !== undefined) {
        const text = data === '-' ? readFileSync(0, 'utf8') : data;
        envelopes = [
          {
            data: parseData(text),
            ...(flags.type === undefined ? {} : { type: flags.type }),
            ...(flags.key === undefined ? {} : { key: flags.key }),
          },
        ];
      } else {
        throw new InvalidOptionError(
          'Give the event data (eddy publish orders \'{"id":1}\') or --file <events.jsonl>.',
        );
      }
      const progress = startProgress(ctx.io, 'publishing', envelopes.length, !ctx.json(command));
      const positions: PublishedPosition[] = [];
      try {
        for (let start = 0; start < envelopes.length; start += batchSize) {
          const batch = envelopes.slice(start, start + batchSize);
          const answer = await client.post<PublishResponse>(`/v1/topics/${seg(topic)}/events`, batch);
          positions.push(...answer.positions);
          progress.tick(batch.length);
        }
      } finally {
        progress.stop();
      }
      if (ctx.json(command)) return printJson(ctx.io, { published: positions.length, positions });
      if (positions.length === 1 && positions[0] !== undefined) {
        const p = positions[0];
        ctx.io.stdout.write(`published ${p.id} to ${p.topic} partition ${p.partition} offset ${p.offset}\n`);
      } else {
        ctx.io.stdout.write(`published ${positions.length} events to ${topic}\n`);
      }
    });
}
