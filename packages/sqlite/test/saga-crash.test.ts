import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import Database from 'better-sqlite3';
import { afterAll, describe, expect, it } from 'vitest';
import { tempDir } from './helpers.js';

const repoRoot = fileURLToPath(new URL('../../../', import.meta.url));
const childScript = fileURLToPath(new URL('./fixtures/saga-crash-runner.ts', import.meta.url));
const tmp = tempDir();
afterAll(() => tmp.remove());

const SAGAS = 200;
const KILLS = 8;

/** Runs the child; SIGKILLs it `killAfterMs` after it is ready, or lets it finish when undefined. */
function runChild(
  path: string,
  killAfterMs: number | undefined,
): Promise<{ done: boolean; killed: boolean }> {
  return new Promise((resolve, reject) => {
    const child = spawn(
      process.execPath,
      ['--conditions=@eddy/source', '--import', 'tsx', childScript, path, String(SAGAS), `${path}.log`],
      {
        cwd: repoRoot,
        stdio: ['ignore', 'pipe', 'inherit'],
      },
    );
    let output = '';
    let timer: NodeJS.Timeout | undefined;
    const deadline = setTimeout(() => child.kill('SIGKILL'), 30_000);
    child.stdout.setEncoding('utf8');
    child.stdout.on('data', (chunk: string) => {
      output += chunk;
      if (killAfterMs !== undefined && timer === undefined && output.includes('ready')) {
        timer = setTimeout(() => child.kill('SIGKILL'), killAfterMs);
      }
    });
    child.once('error', reject);
    child.once('exit', (_code, signal) => {
      clearTimeout(timer);
      clearTimeout(deadline);
      resolve({ done: output.includes('done'), killed: signal === 'SIGKILL' });
    });
  });
}

interface Effect {
  seq: number;
  saga_id: string;
  step: string;
  kind: 'action' | 'compensate';
  idempotency_key: string;
}

describe('saga crash recovery on SQLite', () => {
  it('ends every saga completed or compensated across SIGKILLs, with stable idempotency keys', async () => {
    const path = tmp.file('saga-crash.db');
    let kills = 0;
    let finished = false;
    for (let round = 0; round < KILLS + 6 && !finished; round++) {
      const killAfterMs = round < KILLS ? 50 + Math.floor(Math.random() * 550) : undefined;
      const result = await runChild(path, killAfterMs);
      if (result.killed && !result.done) kills++;
      finished = result.done;
    }
    expect(finished).toBe(true);
    expect(kills).toBeGreaterThanOrEqual(3);

    const db = new Database(path, { readonly: true });
    try {
      const rows = db
        .prepare<[], { id: string; status: string; body: string }>('SELECT id, status, body FROM eddy_sagas')
        .all();
      expect(rows).toHaveLength(SAGAS);
      const effects = db.prepare<[], Effect>('SELECT * FROM effects ORDER BY seq').all();
      const outcomes = new Map(rows.map((r) => [r.id, r.status]));
      for (let i = 0; i < SAGAS; i++) {
        const expected = i % 5 === 1 || i % 5 === 3 ? 'compensated' : 'completed';
        expect(outcomes.get(`saga-${i}`), `saga-${i}`).toBe(expected);
      }
      // One idempotency key per (saga, step, kind), the documented one, however often it ran.
      for (const e of effects) {
        const key = e.kind === 'action' ? `${e.saga_id}:${e.step}` : `${e.saga_id}:${e.step}:compensate`;
        expect(e.idempotency_key).toBe(key);
      }
      const ran = new Set(effects.filter((e) => e.kind === 'action').map((e) => `${e.saga_id}/${e.step}`));
      const undone = effects.filter((e) => e.kind === 'compensate');
      for (const e of undone) expect(ran.has(`${e.saga_id}/${e.step}`), `${e.saga_id}/${e.step}`).toBe(true);
      for (let i = 0; i < SAGAS; i++) {
        const id = `saga-${i}`;
        const steps = [...new Set(undone.filter((e) => e.saga_id === id).map((e) => e.step))];
        // In reverse order, and only the steps completed before the failing one.
        const expected = i % 5 === 1 ? ['payment'] : i % 5 === 3 ? ['inventory', 'payment'] : [];
        expect(steps, id).toEqual(expected);
      }
      const reruns = effects.length - new Set(effects.map((e) => `${e.idempotency_key}/${e.kind}`)).size;
      console.log(
        `saga crash test: ${kills} kills, ${effects.length} effects, ${reruns} re-executions with the same key`,
      );
    } finally {
      db.close();
    }
  }, 120_000);
});
