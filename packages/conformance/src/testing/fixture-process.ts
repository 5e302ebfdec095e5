import { spawn, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';

// Children run from the repository root, where `--conditions=@eddy/source --import tsx` resolves the
// workspace packages to their sources.
const repoRoot = fileURLToPath(new URL('../../../../', import.meta.url));

/** A fixture script running in its own Node process, for crash and shutdown tests. */
export interface FixtureProcess {
  readonly process: ChildProcess;
  /** The complete lines the child wrote to stdout so far (stderr goes to the test's stderr). */
  readonly lines: string[];
  /** Resolves when the child exits: its exit code, or the signal that ended it. */
  readonly exited: Promise<{ readonly code: number | null; readonly signal: NodeJS.Signals | null }>;
}

/** Runs `script` (TypeScript) with `args` under `node --conditions=@eddy/source --import tsx`. */
export function spawnFixture(script: string, args: readonly string[] = []): FixtureProcess {
  const child = spawn(process.execPath, ['--conditions=@eddy/source', '--import', 'tsx', script, ...args], {
    cwd: repoRoot,
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const lines: string[] = [];
  let partial = '';
  child.stdout.setEncoding('utf8');
  child.stdout.on('data', (chunk: string) => {
    const parts = (partial + chunk).split('\n');
    partial = parts.pop()!;
    lines.push(...parts);
  });
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
    child.once('exit', (code, signal) => resolve({ code, signal })),
  );
  return { process: child, lines, exited };
}
