import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { WalSync } from '../src/wal-sync.js';

const dir = mkdtempSync(join(tmpdir(), 'eddy-wal-sync-'));

afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('WalSync', () => {
  it('flushes once per call while idle, and callers arriving during a flush share the next one', async () => {
    const path = join(dir, 'log.db');
    writeFileSync(`${path}-wal`, 'frames');
    const wal = new WalSync(path);
    const first = wal.sync();
    const second = wal.sync();
    const third = wal.sync();
    expect(second).toBe(third);
    expect(second).not.toBe(first);
    await Promise.all([first, second, third]);
    const later = wal.sync();
    expect(later).not.toBe(second);
    await later;
    await wal.close();
  });

  it('rejects when the write-ahead log cannot be opened, and tries again on the next call', async () => {
    const path = join(dir, 'missing.db');
    const wal = new WalSync(path);
    await expect(wal.sync()).rejects.toThrow(/ENOENT/);
    writeFileSync(`${path}-wal`, 'frames');
    await expect(wal.sync()).resolves.toBeUndefined();
    await wal.close();
  });
});
