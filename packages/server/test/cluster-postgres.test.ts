import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import pg from 'pg';
import { afterAll, describe, expect, it } from 'vitest';
import { eventually, post } from './helpers.js';

const POSTGRES_URL = process.env['EDDY_POSTGRES_URL'] ?? 'postgres://postgres@127.0.0.1:5432/test';
const fixture = fileURLToPath(new URL('./fixtures/cluster-gateway.ts', import.meta.url));
const repoRoot = fileURLToPath(new URL('../../../', import.meta.url));
const schema = `eddy_cluster_${randomBytes(5).toString('hex')}`;
const pool = new pg.Pool({ connectionString: POSTGRES_URL, max: 2 });

interface Instance {
  readonly child: ChildProcess;
  readonly url: string;
  readonly instance: string;
  alive: boolean;
}

const instances: Instance[] = [];

/** Starts a gateway process and waits for the line with its URL and instance name. */
function startInstance(): Promise<Instance> {
  const child = spawn(
    process.execPath,
    ['--conditions=@eddy/source', '--import', 'tsx', fixture, POSTGRES_URL, schema],
    {
      cwd: repoRoot,
      stdio: ['ignore', 'pipe', 'inherit'],
    },
  );
  return new Promise((resolve, reject) => {
    let buffered = '';
    child.stdout.setEncoding('utf8');
    child.stdout.on('data', (chunk: string) => {
      buffered += chunk;
      const line = buffered.split('\n').find((candidate) => candidate.startsWith('{'));
      if (line === undefined || !buffered.includes('ready\n')) return;
      const { url, instance } = JSON.parse(line) as { url: string; instance: string };
      const started: Instance = { child, url, instance, alive: true };
      instances.push(started);
      resolve(started);
    });
    child.once('exit', (code) => reject(new Error(`gateway exited with ${code} before it was ready`)));
  });
}

afterAll(async () => {
  for (const { child } of instances) child.kill('SIGKILL');
  await pool.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`).catch(() => undefined);
  await pool.end();
});

interface Delivery {
  ackId: string;
  event: { id: string; data: { key: string; seq: number } };
}

describe('three gateways on one PostgreSQL database', () => {
  it('settle acks through any instance, lose nothing when one is killed, and run a singleton in one at a time', async () => {
    await pool.query(`CREATE SCHEMA IF NOT EXISTS "${schema}"`);
    await pool.query(
      `CREATE TABLE "${schema}".ticks (n bigserial PRIMARY KEY, instance text NOT NULL, at timestamptz NOT NULL)`,
    );
    const gateways = await Promise.all([startInstance(), startInstance(), startInstance()]);
    const topic = `orders-${randomBytes(4).toString('hex')}`;
    const group = 'billing';
    const total = 600;
    // Published round-robin through the three instances, 20 events a request, 10 keys in sequence.
    for (let batch = 0; batch < total / 20; batch += 1) {
      const events = Array.from({ length: 20 }, (_, index) => {
        const seq = batch * 20 + index;
        return { type: 'order.placed', id: `e${seq}`, data: { key: `k${seq % 10}`, seq } };
      });
      const response = await post(`${gateways[batch % 3]!.url}/v1/topics/${topic}/events`, events);
      expect(response.status).toBe(200);
    }

    const owners = new Map(gateways.map((gateway) => [gateway.instance, gateway]));
    const ownerOf = (ackId: string): string => ackId.slice(0, ackId.indexOf('.'));
    /** For each event id, the owners of the leases whose acks were settled. */
    const settledAcks = new Map<string, string[]>();
    const unknownOnRepeat: number[] = [];
    let repeatsSettled = 0;
    let turn = 0;
    let killed: Instance | undefined;
    const leaderBefore = await eventually(async () => {
      const { rows } = await pool.query<{ holder: string }>(`SELECT holder FROM "${schema}".leader_leases`);
      return rows[0]?.holder;
    });

    const deadline = Date.now() + 40_000;
    while (settledAcks.size < total && Date.now() < deadline) {
      const alive = gateways.filter((gateway) => gateway.alive);
      const puller = alive[turn % alive.length]!;
      const acker = alive[(turn + 1) % alive.length]!;
      turn += 1;
      let messages: Delivery[];
      try {
        const response = await fetch(
          `${puller.url}/v1/topics/${topic}/groups/${group}/messages?max=25&wait=0.3&from=earliest`,
        );
        messages = ((await response.json()) as { messages: Delivery[] }).messages;
      } catch {
        continue; // The instance was just killed.
      }
      if (messages.length === 0) continue;
      const ackIds = messages.map((message) => message.ackId);
      let unknown: string[];
      try {
        const response = await post(`${acker.url}/v1/topics/${topic}/groups/${group}/ack`, { ackIds });
        ({ unknown } = (await response.json()) as { unknown: string[] });
      } catch {
        continue;
      }
      for (const message of messages) {
        if (unknown.includes(message.ackId)) continue;
        const owners = settledAcks.get(message.event.id) ?? [];
        owners.push(ownerOf(message.ackId));
        settledAcks.set(message.event.id, owners);
      }
      // The same ids once more, through the third instance: a lease settles once.
      const third = alive[(turn + 1) % alive.length]!;
      try {
        const again = await post(`${third.url}/v1/topics/${topic}/groups/${group}/ack`, { ackIds });
        const result = (await again.json()) as { settled: number; unknown: string[] };
        repeatsSettled += result.settled;
        unknownOnRepeat.push(result.unknown.length);
      } catch {
        // Killed meanwhile.
      }
      // A third of the way through, kill -9 the instance running the singleton.
      if (killed === undefined && settledAcks.size >= total / 3) {
        killed = owners.get(leaderBefore)!;
        killed.alive = false;
        killed.child.kill('SIGKILL');
      }
    }

    expect(killed).toBeDefined();
    // Nothing lost: every event was acknowledged through some instance.
    expect(settledAcks.size).toBe(total);
    // A settled lease is never settled again, whichever instance is asked.
    expect(repeatsSettled).toBe(0);
    // An event is acknowledged twice only when the instance holding its first lease died before
    // its transport wrote the ack (at-least-once); leases of live instances are settled once.
    const twice = [...settledAcks.values()].filter((leaseOwners) => leaseOwners.length > 1);
    for (const leaseOwners of twice) expect(leaseOwners[0]).toBe(killed!.instance);

    // The singleton ran in exactly one instance at a time, and another took over after the kill.
    const { rows } = await pool.query<{ instance: string; at: Date }>(
      `SELECT instance, at FROM "${schema}".ticks ORDER BY at, n`,
    );
    const runs: { instance: string; from: number; to: number }[] = [];
    for (const row of rows) {
      const last = runs.at(-1);
      if (last?.instance === row.instance) last.to = row.at.getTime();
      else runs.push({ instance: row.instance, from: row.at.getTime(), to: row.at.getTime() });
    }
    expect(runs.length).toBeGreaterThanOrEqual(2);
    expect(runs[0]!.instance).toBe(leaderBefore);
    // Two instances ticking at once would interleave every 20 ms, splitting the ticks into hundreds
    // of runs; one at a time gives one run per leadership (one handover after the kill, and room
    // for one more should a loaded machine delay a renewal).
    expect(runs.length).toBeLessThanOrEqual(4);
    expect(new Set(runs.map((run) => run.instance)).size).toBeGreaterThanOrEqual(2);
    expect(runs.at(-1)!.instance).not.toBe(killed!.instance);
  }, 60_000);
});
