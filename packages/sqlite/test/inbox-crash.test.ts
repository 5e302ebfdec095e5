import type { ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import Database from 'better-sqlite3';
import { afterAll, describe, expect, it } from 'vitest';
import { createBus } from '@eddy/core';
import { spawnFixture } from '@eddy/conformance';
import { createSqliteTransport } from '@eddy/sqlite';
import { tempDir, unique, waitFor } from './helpers.js';

const childScript = fileURLToPath(new URL('./inbox-crash-child.ts', import.meta.url));
const tmp = tempDir();
afterAll(() => tmp.remove());

interface Events {
  'payment.captured': { paymentId: string };
}

interface Child {
  readonly process: ChildProcess;
  readonly lines: string[];
  readonly exited: Promise<NodeJS.Signals | null>;
}

function start(args: readonly string[]): Child {
  const child = spawnFixture(childScript, args);
  return { process: child.process, lines: child.lines, exited: child.exited.then(({ signal }) => signal) };
}

function effects(appPath: string): { total: number; uniq: number } {
  const db = new Database(appPath, { readonly: true });
  try {
    return db
      .prepare<[], { total: number; uniq: number }>(
        'SELECT COUNT(*) AS total, COUNT(DISTINCT event_id) AS uniq FROM effects',
      )
      .get()!;
  } finally {
    db.close();
  }
}

async function publish(logPath: string, topic: string, count: number): Promise<void> {
  const transport = createSqliteTransport({ path: logPath, partitions: 2 });
  const bus = createBus<Events>({ transport, topicFor: () => topic });
  for (let i = 0; i < count; i++)
    await bus.publish('payment.captured', { paymentId: `p${i}` }, { key: `k${i % 5}` });
  await bus.stop();
}

/**
 * Runs consumers that SIGKILL themselves right after committing a side effect (before the ack),
 * restarting until every event was applied; returns how many kills happened.
 */
async function runWithKills(
  mode: 'transactional' | 'plain',
  logPath: string,
  appPath: string,
  topic: string,
  count: number,
): Promise<{ kills: number; duplicates: number }> {
  const killPlan = [2, 3, 1];
  let kills = 0;
  let duplicates = 0;
  for (const killAfter of [...killPlan, 0]) {
    const child = start([logPath, appPath, topic, mode, String(killAfter)]);
    if (killAfter > 0) {
      // Generous: on a loaded machine a child can take many seconds to start.
      const signal = await Promise.race([
        child.exited,
        new Promise<'hung'>((resolve) => setTimeout(() => resolve('hung'), 60_000).unref()),
      ]);
      if (signal === 'hung') child.process.kill('SIGKILL');
      expect(
        signal,
        `the consumer killing itself after ${killAfter} effects; it printed: ${child.lines.join(' | ')}`,
      ).toBe('SIGKILL');
      kills++;
    } else {
      await waitFor(() => child.lines.includes('ready'), 20_000, 'the last consumer to start');
      // The survivor runs until every event has its effect and the killed deliveries came back.
      const admin = createSqliteTransport({ path: logPath });
      try {
        await waitFor(
          () =>
            effects(appPath).uniq === count &&
            admin.admin.listGroups(topic).find((g) => g.group === 'ledger.payment.captured')?.lag === 0,
          30_000,
          'every effect applied and every delivery acknowledged',
        );
      } finally {
        await admin.close();
      }
      child.process.kill('SIGKILL');
      await child.exited;
    }
    duplicates += child.lines.filter((line) => line.startsWith('duplicate ')).length;
  }
  return { kills, duplicates };
}

describe('sqlite transactional inbox under SIGKILL', () => {
  it('never applies a side effect twice when the consumer dies between commit and ack', async () => {
    const logPath = tmp.file('tx-log.db');
    const appPath = tmp.file('tx-app.db');
    const topic = unique('payments');
    await publish(logPath, topic, 12);
    const { kills, duplicates } = await runWithKills('transactional', logPath, appPath, topic, 12);
    expect(kills).toBe(3);
    // The deliveries cut off by the kills did come back, and the inbox turned them into no-ops.
    expect(duplicates).toBeGreaterThanOrEqual(3);
    expect(effects(appPath)).toEqual({ total: 12, uniq: 12 });
  }, 240_000);

  it('control: the same crash without the inbox applies side effects twice', async () => {
    const logPath = tmp.file('plain-log.db');
    const appPath = tmp.file('plain-app.db');
    const topic = unique('payments');
    await publish(logPath, topic, 12);
    await runWithKills('plain', logPath, appPath, topic, 12);
    const { total, uniq } = effects(appPath);
    expect(uniq).toBe(12);
    expect(total).toBeGreaterThan(12);
  }, 240_000);
});
