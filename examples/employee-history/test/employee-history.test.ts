import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, describe, expect, it } from 'vitest';

const repoRoot = fileURLToPath(new URL('../../../', import.meta.url));
const main = fileURLToPath(new URL('../src/main.ts', import.meta.url));
const dir = mkdtempSync(join(tmpdir(), 'eddy-employee-test-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

async function run(...args: string[]): Promise<string[]> {
  const { stdout } = await promisify(execFile)(
    process.execPath,
    ['--conditions=@eddy/source', '--import', 'tsx', main, ...args],
    { cwd: repoRoot, timeout: 60_000 },
  );
  return stdout.trim().split('\n');
}

describe('employee history example', () => {
  it('rebuilds the table from events and answers what the table alone cannot', async () => {
    const lines = await run();
    expect(lines).toContain('| 1 | john | smith | seoul | backend | 2009-04-23 |');
    expect(lines).toContain('| 2 | sahra | adsf | busan | frontend | 2001-05-23 |');
    expect(lines).toContain('| 3 | culre | basf | incheon | data | 2003-09-23 |');
    expect(lines).toContain('rebuilt from 6 events: same as the live table');
    expect(lines).toContain("john's previous role: cloud engineer");
    expect(lines).toContain("sahra's previous address: incheon");
    expect(lines).toContain("culre's previous name: culre park");
    expect(lines).toContain('john on 2010-01-01: cloud engineer in seoul');
    expect(lines).toContain('sahra on 2014-12-31: frontend in incheon');
    expect(lines).toContain('john on 2005-01-01: not hired yet');
  });

  it('keeps its history in a database file across runs without recording it twice', async () => {
    const file = join(dir, 'employees.db');
    await run(file);
    const again = await run(file);
    expect(again).toContain('rebuilt from 6 events: same as the live table');
    expect(again).toContain("john's previous role: cloud engineer");
  });
});
