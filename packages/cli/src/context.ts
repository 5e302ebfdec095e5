import type { Command } from 'commander';
import { DEFAULT_URL, EddyClient } from './client.js';
import type { Io } from './output.js';

/** What every command gets: output streams, the global flags and a client for the gateway. */
export interface CliContext {
  readonly io: Io;
  readonly env: Readonly<Record<string, string | undefined>>;
  /** Resolves when SIGINT/SIGTERM arrives (or the test driving `runCli` aborts). */
  readonly signal: AbortSignal;
  json(command: Command): boolean;
  client(command: Command): EddyClient;
}

interface GlobalFlags {
  url?: string;
  apiKey?: string;
  json?: boolean;
}

export function createContext(
  io: Io,
  env: Readonly<Record<string, string | undefined>>,
  signal: AbortSignal,
): CliContext {
  const flags = (command: Command): GlobalFlags => command.optsWithGlobals<GlobalFlags>();
  return {
    io,
    env,
    signal,
    json: (command) => flags(command).json === true,
    client: (command) =>
      new EddyClient({
        url: flags(command).url ?? env['EDDY_URL'] ?? DEFAULT_URL,
        apiKey: flags(command).apiKey ?? env['EDDY_API_KEY'],
      }),
  };
}
