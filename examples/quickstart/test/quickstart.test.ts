import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';

const repoRoot = fileURLToPath(new URL('../../../', import.meta.url));
const main = fileURLToPath(new URL('../src/main.ts', import.meta.url));

describe('quickstart example', () => {
  it('runs: the consumer handles the event and the follow-up carries its causation', async () => {
    const { stdout } = await promisify(execFile)(
      process.execPath,
      ['--conditions=@eddy/source', '--import', 'tsx', main],
      { cwd: repoRoot, timeout: 30_000 },
    );
    const lines = stdout.trim().split('\n');
    const id = /^published (\S+)$/.exec(lines.find((line) => line.startsWith('published')) ?? '')?.[1];
    expect(id).toBeDefined();
    expect(lines).toContain('placed o-1: 42.00 EUR');
    expect(lines).toContain(`shipped o-1, caused by ${id}`);
  });
});
