import { isEddyError } from '@eddy/core';
import { Command, CommanderError } from 'commander';
import { registerDev } from './commands/dev.js';
import { registerDedupe } from './commands/dedupe.js';
import { registerDlq } from './commands/dlq.js';
import { registerFairGroups } from './commands/fair-groups.js';
import { registerGroups } from './commands/groups.js';
import { registerInflight } from './commands/inflight.js';
import { registerPipelines } from './commands/pipelines.js';
import { registerPublish } from './commands/publish.js';
import { registerReplay } from './commands/replay.js';
import { registerSchemas } from './commands/schemas.js';
import { registerRules } from './commands/rules.js';
import { registerSchedules } from './commands/schedules.js';
import { registerTail } from './commands/tail.js';
import { registerTopics } from './commands/topics.js';
import { registerRequests, registerWebhooks } from './commands/webhooks.js';
import { createContext } from './context.js';
import { CliErrorCodes } from './errors.js';
import { ExitCodes, exitCodeOf, type ExitCode } from './exit-codes.js';
import type { Io } from './output.js';

export interface RunCliOptions {
  /** Default the process's stdout and stderr. */
  readonly io?: Io;
  /** Default `process.env`. */
  readonly env?: Readonly<Record<string, string | undefined>>;
  /** Ends long-running commands (dev, serve, tail) gracefully. Default: never. */
  readonly signal?: AbortSignal;
}

/** Builds the `eddy` program; `args` are the user's arguments (no `node` and script path). */
export function createProgram(ctx: ReturnType<typeof createContext>): Command {
  const program = new Command('eddy')
    .description(
      'Eddy: run the event gateway and dashboard, publish, tail, inspect groups and dead-letter queues',
    )
    .version('0.1.0')
    .option('--url <url>', 'gateway URL (default EDDY_URL, else http://127.0.0.1:4400)')
    .option('--api-key <key>', 'API key (default EDDY_API_KEY)')
    .option('--json', 'machine-readable output on stdout')
    .showHelpAfterError('(run eddy --help for usage)')
    .exitOverride()
    .configureOutput({
      writeOut: (text) => ctx.io.stdout.write(text),
      writeErr: (text) => ctx.io.stderr.write(text),
    });
  registerDev(program, ctx);
  registerPublish(program, ctx);
  registerTail(program, ctx);
  registerTopics(program, ctx);
  registerGroups(program, ctx);
  registerPipelines(program, ctx);
  registerDlq(program, ctx);
  registerReplay(program, ctx);
  registerSchemas(program, ctx);
  registerRules(program, ctx);
  registerSchedules(program, ctx);
  registerInflight(program, ctx);
  registerFairGroups(program, ctx);
  registerDedupe(program, ctx);
  registerWebhooks(program, ctx);
  registerRequests(program, ctx);
  for (const command of program.commands) command.exitOverride();
  return program;
}

/** Runs `eddy` with `args` and resolves with its exit code (see `ExitCodes`); never throws. */
export async function runCli(args: readonly string[], options: RunCliOptions = {}): Promise<ExitCode> {
  const io = options.io ?? { stdout: process.stdout, stderr: process.stderr };
  const ctx = createContext(io, options.env ?? process.env, options.signal ?? new AbortController().signal);
  const program = createProgram(ctx);
  try {
    await program.parseAsync([...args], { from: 'user' });
    return ExitCodes.Ok;
  } catch (error) {
    if (error instanceof CommanderError) {
      return error.exitCode === 0 ? ExitCodes.Ok : ExitCodes.Usage;
    }
    const code = exitCodeOf(error);
    const json = args.includes('--json');
    if (json) {
      const body = isEddyError(error)
        ? {
            code: error.code,
            message: error.message,
            ...('serverCode' in error ? { serverCode: error.serverCode } : {}),
          }
        : { code: CliErrorCodes.Unexpected, message: String(error) };
      io.stderr.write(`${JSON.stringify({ error: body, exitCode: code })}\n`);
    } else {
      const message = error instanceof Error ? error.message : String(error);
      io.stderr.write(`eddy: ${message}\n`);
      if (!isEddyError(error) && error instanceof Error && error.stack !== undefined)
        io.stderr.write(`${error.stack}\n`);
    }
    return code;
  }
}
