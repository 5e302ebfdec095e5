import { spawn, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';

/** The repository root: the binary runs from there so `tsx` and the workspace packages resolve. */
export const repoRoot = fileURLToPath(new URL('../../../', import.meta.url));

/** The real `eddy` binary, loading the sources (package.json "imports" `#main` under `--conditions=@eddy/source`). */
export const EDDY = ['--conditions=@eddy/source', '--import', 'tsx', 'packages/cli/bin/eddy.js'];

export interface EddyResult {
  readonly code: number | null;
  readonly stdout: string;
  readonly stderr: string;
}

export function spawnEddy(args: readonly string[], env: Record<string, string> = {}): ChildProcess {
  return spawn(process.execPath, [...EDDY, ...args], {
    cwd: repoRoot,
    env: { ...process.env, NO_COLOR: '1', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
}

/** Runs `eddy <args>` to completion. */
export function runEddy(args: readonly string[], env: Record<string, string> = {}): Promise<EddyResult> {
  const child = spawnEddy(args, env);
  let stdout = '';
  let stderr = '';
  child.stdout?.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
  child.stderr?.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  return new Promise((resolve, reject) => {
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}

/** Polls `probe` until it returns a value other than undefined, or fails after `timeoutMs`. */
export async function eventually<T>(
  probe: () => Promise<T | undefined>,
  what: string,
  timeoutMs = 20_000,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`Timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}
