import { readFileSync } from 'node:fs';
import type { Command } from 'commander';
import type {
  PutRuleRequest,
  RuleListResponse,
  RuleResponse,
  TestPatternRequest,
  TestPatternResponse,
} from '@eddy/server/api';
import { seg } from '../client.js';
import type { CliContext } from '../context.js';
import { BadInputError } from '../errors.js';
import { printJson, printTable } from '../output.js';

/**
 * JSON from an argument: `@path` reads a file, `-` reads stdin, anything else is the JSON itself.
 * `what` names the argument in errors.
 */
export function readJsonArgument(value: string, what: string): unknown {
  let text = value;
  if (value === '-' || value.startsWith('@')) {
    const path = value === '-' ? 0 : value.slice(1);
    try {
      text = readFileSync(path, 'utf8');
    } catch (error) {
      throw new BadInputError(`Cannot read ${what} from ${value}: ${(error as Error).message}.`);
    }
  }
  try {
    return JSON.parse(text) as unknown;
  } catch (error) {
    throw new BadInputError(
      `${what} is not JSON (${(error as Error).message}). Give JSON, @file.json, or - for stdin.`,
    );
  }
}

/** A rules file: one rule object with its name, or an array of them. */
function rulesIn(value: unknown, source: string): (PutRuleRequest & { name: string })[] {
  const rules = Array.isArray(value) ? value : [value];
  return rules.map((rule: unknown, i) => {
    if (typeof rule !== 'object' || rule === null || typeof (rule as { name?: unknown }).name !== 'string') {
      throw new BadInputError(
        `Rule ${i + 1} in ${source} has no "name". Each rule is { "name", "pattern", "targets"?, "enabled"?, "description"? }.`,
      );
    }
    return rule as PutRuleRequest & { name: string };
  });
}

/** `eddy rules list|show|put|delete|test`. */
export function registerRules(program: Command, ctx: CliContext): void {
  const rules = program
    .command('rules')
    .description('event rules: list, show, create or replace, delete, test a pattern');

  rules
    .command('list')
    .description('list rules with their counts (matched, delivered, failed)')
    .action(async (_flags: object, command: Command) => {
      const { rules: list } = await ctx.client(command).get<RuleListResponse>('/v1/rules');
      if (ctx.json(command)) return printJson(ctx.io, list);
      printTable(
        ctx.io,
        ['RULE', 'ENABLED', 'VERSION', 'TARGETS', 'MATCHED', 'DELIVERED', 'FAILED'],
        list.map((rule) => [
          rule.name,
          rule.enabled ? 'yes' : 'no',
          rule.version,
          rule.targets.map((target) => `${target.id}:${target.kind}`).join(','),
          rule.counts.matched,
          rule.counts.delivered,
          rule.counts.failed,
        ]),
      );
    });

  rules
    .command('show')
    .description('one rule as JSON')
    .argument('<name>', 'rule name')
    .action(async (name: string, _flags: object, command: Command) => {
      const { rule } = await ctx.client(command).get<RuleResponse>(`/v1/rules/${seg(name)}`);
      printJson(ctx.io, rule);
    });

  rules
    .command('put')
    .description('create or replace rules from a JSON file: one rule { name, pattern, targets } or an array')
    .argument('<file>', 'rules file (JSON), or - for stdin')
    .action(async (file: string, _flags: object, command: Command) => {
      const client = ctx.client(command);
      const source = file === '-' ? 'stdin' : file;
      const stored: RuleResponse['rule'][] = [];
      for (const rule of rulesIn(
        readJsonArgument(file === '-' ? '-' : `@${file}`, 'the rules file'),
        source,
      )) {
        stored.push((await client.request<RuleResponse>('PUT', `/v1/rules/${seg(rule.name)}`, rule)).rule);
      }
      if (ctx.json(command)) return printJson(ctx.io, stored);
      for (const rule of stored) {
        ctx.io.stdout.write(
          `${rule.version === 1 ? 'created' : 'replaced'} ${rule.name} (version ${rule.version})\n`,
        );
      }
    });

  rules
    .command('delete')
    .description('delete a rule')
    .argument('<name>', 'rule name')
    .action(async (name: string, _flags: object, command: Command) => {
      await ctx.client(command).request<undefined>('DELETE', `/v1/rules/${seg(name)}`);
      if (ctx.json(command)) return printJson(ctx.io, { deleted: name });
      ctx.io.stdout.write(`deleted ${name}\n`);
    });

  rules
    .command('test')
    .description('does a pattern match an event, and what does an input transformer make of it')
    .requiredOption('--pattern <json>', 'event pattern: JSON, @file.json or -')
    .requiredOption('--event <json>', 'the event (CloudEvent JSON or any JSON object): JSON, @file.json or -')
    .option('--transformer <json>', 'input transformer { inputPathsMap, inputTemplate }: JSON or @file.json')
    .action(async (flags: { pattern: string; event: string; transformer?: string }, command: Command) => {
      const body: TestPatternRequest = {
        pattern: readJsonArgument(flags.pattern, '--pattern') as TestPatternRequest['pattern'],
        event: readJsonArgument(flags.event, '--event') as TestPatternRequest['event'],
        ...(flags.transformer === undefined
          ? {}
          : {
              inputTransformer: readJsonArgument(
                flags.transformer,
                '--transformer',
              ) as TestPatternRequest['inputTransformer'] & object,
            }),
      };
      const result = await ctx.client(command).post<TestPatternResponse>('/v1/rules/test', body);
      if (ctx.json(command)) return printJson(ctx.io, result);
      ctx.io.stdout.write(result.matched ? 'matched\n' : 'no match\n');
      if (result.output !== undefined)
        ctx.io.stdout.write(`output\n${JSON.stringify(result.output, null, 2)}\n`);
    });
}
