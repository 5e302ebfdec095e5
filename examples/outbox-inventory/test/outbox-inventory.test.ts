import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';

const repoRoot = fileURLToPath(new URL('../../../', import.meta.url));

describe('outbox-inventory example', () => {
  it('reserves stock once per committed order, never for the rolled-back one, despite a duplicate', async () => {
    // Through its start script, as the README runs it.
    const { stdout } = await promisify(execFile)(
      'npm',
      ['--silent', 'start', '-w', 'examples/outbox-inventory'],
      {
        cwd: repoRoot,
        timeout: 40_000,
      },
    );
    const lines = stdout.trim().split('\n');
    expect(lines).toContain('o-1 was delivered twice; the inbox applied it once');
    expect(lines).toContain('stock apple: available 7, reserved 3');
    expect(lines).toContain('stock pear: available 3, reserved 2');
    expect(lines).toContain('orders: o-1, o-2');
    expect(lines.some((line) => line.startsWith('rolled back o-3'))).toBe(true);
  });
});
