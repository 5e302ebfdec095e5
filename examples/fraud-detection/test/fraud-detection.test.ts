import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';

const repoRoot = fileURLToPath(new URL('../../../', import.meta.url));
const main = fileURLToPath(new URL('../src/main.ts', import.meta.url));

describe('fraud detection example', () => {
  it('raises a velocity alert from a window and two pattern alerts, and none for ordinary use', async () => {
    const { stdout } = await promisify(execFile)(
      process.execPath,
      ['--conditions=@eddy/source', '--import', 'tsx', main],
      { cwd: repoRoot, timeout: 60_000 },
    );
    const lines = stdout.trim().split('\n');
    expect(lines).toEqual([
      'alert card-testing card-2: declined at 12:00:10, declined at 12:00:50, declined at 12:01:35',
      'alert declined-then-large card-3: declined at 12:00:30, large at 12:01:00',
      'alert velocity card-1: 6 payments, 120.00 total, 12:00:00-12:01:00',
      'processed 14 events, 3 alerts',
    ]);
  });
});
