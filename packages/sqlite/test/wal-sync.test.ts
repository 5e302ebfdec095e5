import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { SyncPlacement, type SyncSite } from '../src/sync-placement.js';
import { WalSync } from '../src/wal-sync.js';

const dir = mkdtempSync(join(tmpdir(), 'eddy-wal-sync-'));

/** Always the same site, and remembers where each flush ran. */
class PinnedPlacement extends SyncPlacement {
  readonly sites: SyncSite[] = [];
  constructor(private readonly site: SyncSite) {
    super();
  }
  override choose(): SyncSite {
    return this.site;
  }
  override record(site: SyncSite): void {
    this.sites.push(site);
  }
}

afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('WalSync', () => {
  it('flushes once per call while idle, and callers arriving during a flush share the next one', async () => {
    const path = join(dir, 'log.db');
    writeFileSync(`${path}-wal`, 'frames');
    const wal = new WalSync(path, new PinnedPlacement('thread-pool'));
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

  it('runs the flush that callers waiting on a thread-pool flush share where the placement says', async () => {
    const path = join(dir, 'after-pool.db');
    writeFileSync(`${path}-wal`, 'frames');
    const sites: SyncSite[] = [];
    // The pool first (a probe), then the event loop, which is in favour.
    const placement = new (class extends SyncPlacement {
      #calls = 0;
      override choose(): SyncSite {
        this.#calls += 1;
        return this.#calls === 1 ? 'thread-pool' : 'event-loop';
      }
      override record(site: SyncSite): void {
        sites.push(site);
      }
    })();
    const wal = new WalSync(path, placement);
    const probe = wal.sync();
    const waiting = wal.sync();
    await Promise.all([probe, waiting]);
    expect(sites).toEqual(['thread-pool', 'event-loop']);
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

  it('flushes on the event loop when that site is chosen, and the call has settled when it returns', async () => {
    const path = join(dir, 'on-loop.db');
    writeFileSync(`${path}-wal`, 'frames');
    const placement = new PinnedPlacement('event-loop');
    const wal = new WalSync(path, placement);
    let settled = false;
    const flushed = wal.sync().then(() => (settled = true));
    await Promise.resolve();
    expect(settled).toBe(true);
    await flushed;
    expect(placement.sites).toEqual(['event-loop']);
    await wal.close();
  });
});

describe('SyncPlacement', () => {
  it('tries each site once, then favours the faster and probes the other every 256th flush', () => {
    const placement = new SyncPlacement();
    expect(placement.choose()).toBe('event-loop');
    placement.record('event-loop', 0.1);
    expect(placement.choose()).toBe('thread-pool');
    placement.record('thread-pool', 0.3);
    const sites = Array.from({ length: 512 }, () => placement.choose());
    expect(sites.filter((site) => site === 'thread-pool')).toHaveLength(2);
    expect(sites[255]).toBe('thread-pool');
    expect(sites[511]).toBe('thread-pool');
  });

  it('moves to the other site once its flushes are slower', () => {
    const placement = new SyncPlacement();
    placement.record('event-loop', 0.1);
    placement.record('thread-pool', 0.3);
    expect(placement.choose()).toBe('event-loop');
    for (let i = 0; i < 10; i++) placement.record('event-loop', 2);
    expect(placement.choose()).toBe('thread-pool');
  });

  it('stays with the faster site through the odd slow flush there', () => {
    const placement = new SyncPlacement();
    for (let i = 0; i < 15; i++) placement.record('event-loop', 0.25);
    placement.record('thread-pool', 0.33);
    const sites = [];
    for (let i = 0; i < 30; i++) {
      const site = placement.choose();
      sites.push(site);
      // One flush in five on the event loop is ten times slower than usual.
      placement.record(
        site,
        site === 'event-loop' && i % 5 === 0 ? 2.5 : site === 'event-loop' ? 0.25 : 0.33,
      );
    }
    expect(sites.every((site) => site === 'event-loop')).toBe(true);
  });
});
