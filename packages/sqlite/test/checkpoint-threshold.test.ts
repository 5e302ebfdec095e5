import { statSync } from 'node:fs';
import { afterAll, describe, expect, it } from 'vitest';
import {
  CheckpointThreshold,
  LARGE_COMMITS_THRESHOLD_PAGES,
  SMALL_COMMITS_THRESHOLD_PAGES,
} from '../src/checkpoint-threshold.js';
import { createSqliteTransport } from '../src/index.js';
import { tempDir } from './helpers.js';

const temp = tempDir();
afterAll(() => temp.remove());

/** A threshold whose every change is recorded. */
function recorded(): { threshold: CheckpointThreshold; applied: number[] } {
  const applied: number[] = [];
  return { threshold: new CheckpointThreshold((pages) => applied.push(pages)), applied };
}

describe('CheckpointThreshold', () => {
  it('starts high, goes low after a run of small commits and high again after a run of large ones', () => {
    const { threshold, applied } = recorded();
    expect(threshold.pages).toBe(LARGE_COMMITS_THRESHOLD_PAGES);
    threshold.committed(300);
    expect(applied).toEqual([]);
    for (let i = 0; i < 40; i++) threshold.committed(300);
    expect(threshold.pages).toBe(SMALL_COMMITS_THRESHOLD_PAGES);
    for (let i = 0; i < 40; i++) threshold.committed(4 * 1024 * 1024);
    expect(threshold.pages).toBe(LARGE_COMMITS_THRESHOLD_PAGES);
    expect(applied).toEqual([SMALL_COMMITS_THRESHOLD_PAGES, LARGE_COMMITS_THRESHOLD_PAGES]);
  });

  it('holds its setting through a mix of commit sizes between the two bounds', () => {
    const { threshold, applied } = recorded();
    for (let i = 0; i < 40; i++) threshold.committed(300);
    // Averages of 40-100 KiB: neither small enough to lower nor large enough to raise it.
    for (let i = 0; i < 200; i++) threshold.committed(i % 2 === 0 ? 40 * 1024 : 100 * 1024);
    expect(applied).toEqual([SMALL_COMMITS_THRESHOLD_PAGES]);
  });
});

describe('the write-ahead log of a transport that flushes every commit', () => {
  it('starts over at about 4 MB under publishes awaited one by one, instead of growing to 64 MB', async () => {
    const path = temp.file('one-by-one.db');
    const transport = createSqliteTransport({ path, synchronous: 'full' });
    const payload = Buffer.alloc(256, 1);
    // Each commit writes about three pages: 1,500 commits are 4,500 pages (18 MB) of frames.
    for (let i = 0; i < 1_500; i++) await transport.publish('readings', [{ payload }]);
    const walBytes = statSync(`${path}-wal`).size;
    await transport.close();
    expect(walBytes).toBeLessThan(8 * 1024 * 1024);
  });
});
