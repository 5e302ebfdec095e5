import { spawn, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { waitFor } from './helpers.js';

const repoRoot = fileURLToPath(new URL('../../../', import.meta.url));
const fixture = (name: string) => fileURLToPath(new URL(`./fixtures/${name}`, import.meta.url));
// A child runs the TypeScript sources through tsx, which compiles them on start: seconds on a loaded
// machine. Start-up is not what these tests prove, so it gets its own deadline, and the deadlines
// that carry a test's claim run from the moment the child reports `ready`.
export const CHILD_START_TIMEOUT_MS = 60_000;

export interface Child {
  readonly process: ChildProcess;
  /** Complete stdout lines, `ready` included. */
  readonly lines: string[];
  readonly exited: Promise<void>;
}

/** What the child reported besides `ready`: published or handled ids. */
export const idsOf = (child: Child): string[] => child.lines.filter((line) => line !== 'ready');

export function waitForReady(child: Child): Promise<void> {
  return waitFor(() => child.lines.includes('ready'), CHILD_START_TIMEOUT_MS, 'the child process to start');
}

/** Starts a fixture as its own Node process on the TypeScript sources; collects complete stdout lines. */
export function startChild(script: string, args: readonly string[]): Child {
  const child = spawn(
    process.execPath,
    ['--conditions=@eddy/source', '--import', 'tsx', fixture(script), ...args],
    {
      cwd: repoRoot,
      stdio: ['ignore', 'pipe', 'inherit'],
    },
  );
  const lines: string[] = [];
  let partial = '';
  child.stdout.setEncoding('utf8');
  child.stdout.on('data', (chunk: string) => {
    const parts = (partial + chunk).split('\n');
    // A line cut short by SIGKILL was never fully reported, so it does not count.
    partial = parts.pop()!;
    lines.push(...parts);
  });
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  return { process: child, lines, exited };
}
