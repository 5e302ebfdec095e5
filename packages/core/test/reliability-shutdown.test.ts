import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { spawnFixture } from '@eddy/conformance';
import { waitFor } from './bus-test-helpers.js';

const script = fileURLToPath(new URL('./reliability-shutdown-child.ts', import.meta.url));

async function runAndTerminate(
  mode: 'finish' | 'deadline',
): Promise<{ lines: string[]; code: number | null }> {
  const child = spawnFixture(script, [mode]);
  const lines = child.lines;
  await waitFor(() => lines.includes('ready') && lines.includes('started 1'), 20_000, 'both jobs to start');
  child.process.kill('SIGTERM');
  return { lines, code: (await child.exited).code };
}

describe('graceful shutdown on SIGTERM', () => {
  it('lets in-flight handlers finish, then exits 0', async () => {
    const { lines, code } = await runAndTerminate('finish');
    expect(code).toBe(0);
    expect(lines).toContain('finished 0');
    expect(lines).toContain('finished 1');
    expect(lines.at(-1)).toBe('exit 0');
  });

  it('aborts handlers still running at the deadline, then exits 0', async () => {
    const { lines, code } = await runAndTerminate('deadline');
    expect(code).toBe(0);
    expect(lines.filter((line) => line.startsWith('aborted'))).toHaveLength(2);
    expect(lines.at(-1)).toBe('exit 0');
  });
});
