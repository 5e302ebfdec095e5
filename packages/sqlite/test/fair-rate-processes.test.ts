import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import Database from 'better-sqlite3';
import { createBus } from '@eddy/core';
import { createSqliteTransport } from '@eddy/sqlite';
import { afterAll, describe, expect, it } from 'vitest';
import { idsOf, startChild, waitForReady, type Child } from './child-process.js';
import { tempDir, waitFor } from './helpers.js';

const tmp = tempDir();
const children: Child[] = [];
afterAll(async () => {
  for (const child of children) {
    child.process.kill('SIGKILL');
    await child.exited;
  }
  tmp.remove();
});

const RATE = 10;
const EVENTS = 30;

describe('fair-group rate across processes', () => {
  it('two members sharing a store start one key’s deliveries at the rate together, not each', async () => {
    const path = join(tmp.dir, 'log.db');
    const slots = join(tmp.dir, 'slots.db');
    const type = `job.requested-${randomBytes(4).toString('hex')}`;
    const first = startChild('fair-rate-child.ts', [path, slots, type, String(RATE)]);
    const second = startChild('fair-rate-child.ts', [path, slots, type, String(RATE)]);
    children.push(first, second);
    await Promise.all([waitForReady(first), waitForReady(second)]);
    // A member fetches what its partitions hold and keeps it waiting for rate slots, so publish only
    // once the group has settled on both members: otherwise the first one alone may take everything.
    const log = new Database(path, { readonly: true });
    const owners = log.prepare(
      'SELECT count(DISTINCT owner) AS owners FROM eddy_group_partitions WHERE owner IS NOT NULL AND lease_expires > ?',
    );
    try {
      await waitFor(
        () => (owners.get(Date.now()) as { owners: number }).owners === 2,
        30_000,
        'both members to own partitions',
      );
    } finally {
      log.close();
    }

    const transport = createSqliteTransport({ path, partitions: 4 });
    const bus = createBus<Record<string, { tenant: string }>>({ transport, group: 'publisher' });
    for (let i = 0; i < EVENTS; i += 1) await bus.publish(type, { tenant: 'noisy' }, { key: `k${i}` });
    await bus.stop();

    const starts = () => [...idsOf(first), ...idsOf(second)].map(Number);
    await waitFor(() => starts().length >= EVENTS, 60_000, 'every delivery to start');
    const times = starts().sort((a, b) => a - b);
    expect(times).toHaveLength(EVENTS);
    // Both members took part: the limit held between processes, not inside one.
    expect(idsOf(first).length).toBeGreaterThan(0);
    expect(idsOf(second).length).toBeGreaterThan(0);
    // Counted in windows, with tolerance for a loaded machine: at most RATE starts (plus one at the
    // window's edge) in any second; each member alone would allow 2 × RATE.
    let most = 0;
    for (const [i, start] of times.entries()) {
      const within = times.slice(i).filter((time) => time < start + 1_000).length;
      most = Math.max(most, within);
    }
    expect(most).toBeLessThanOrEqual(RATE + 1);
    // And the whole run took about EVENTS / RATE seconds, not half of it.
    expect(times.at(-1)! - times[0]!).toBeGreaterThanOrEqual(((EVENTS - 1) / RATE) * 1_000 * 0.9);
  }, 180_000);
});
