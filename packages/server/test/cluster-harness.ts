import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import { expect } from 'vitest';
import { eventually, post } from './helpers.js';

const fixture = fileURLToPath(new URL('./fixtures/cluster-gateway.ts', import.meta.url));
const repoRoot = fileURLToPath(new URL('../../../', import.meta.url));

/** A gateway process of the cluster under test. */
export interface Instance {
  readonly child: ChildProcess;
  readonly url: string;
  readonly instance: string;
  alive: boolean;
}

/** What the test needs from the backend besides the gateways. */
export interface ClusterBackend {
  readonly url: string;
  /** Schema or key prefix of this run. */
  readonly namespace: string;
  /** Where the singleton records its ticks when not in the backend itself (Redis, for NATS). */
  readonly tickUrl?: string;
  /** The instance holding the gateway's leader lease, undefined while none does. */
  leader(): Promise<string | undefined>;
  /** The instances that ticked, in the backend's order. */
  ticks(): Promise<string[]>;
}

/** Starts a gateway process and waits for the line with its URL and instance name. */
export function startInstance(backend: ClusterBackend, started: Instance[]): Promise<Instance> {
  const child = spawn(
    process.execPath,
    [
      '--conditions=@eddy/source',
      '--import',
      'tsx',
      fixture,
      backend.url,
      backend.namespace,
      ...(backend.tickUrl === undefined ? [] : [backend.tickUrl]),
    ],
    { cwd: repoRoot, stdio: ['ignore', 'pipe', 'inherit'] },
  );
  return new Promise((resolve, reject) => {
    let buffered = '';
    child.stdout.setEncoding('utf8');
    child.stdout.on('data', (chunk: string) => {
      buffered += chunk;
      const line = buffered.split('\n').find((candidate) => candidate.startsWith('{'));
      if (line === undefined || !buffered.includes('ready\n')) return;
      const { url, instance } = JSON.parse(line) as { url: string; instance: string };
      const gateway: Instance = { child, url, instance, alive: true };
      started.push(gateway);
      resolve(gateway);
    });
    child.once('exit', (code) => reject(new Error(`gateway exited with ${code} before it was ready`)));
  });
}

interface Delivery {
  ackId: string;
  event: { id: string };
}

/**
 * Three gateways on one backend: `total` events (default 600) published round-robin through them, then pulled from
 * one instance and acked through the next, the same ids acked again through the third; a third of
 * the way in, the instance running the singleton is killed with SIGKILL. Checks that nothing is
 * lost, no lease settles twice, only the dead instance's leases are acked twice, and the singleton
 * ran in one instance at a time with another taking over.
 */
export async function checkCluster(backend: ClusterBackend, started: Instance[], total = 600): Promise<void> {
  const gateways = await Promise.all([0, 1, 2].map(() => startInstance(backend, started)));
  const topic = `orders-${randomBytes(4).toString('hex')}`;
  const group = 'billing';
  for (let batch = 0; batch < total / 20; batch += 1) {
    const events = Array.from({ length: 20 }, (_, index) => {
      const seq = batch * 20 + index;
      return { type: 'order.placed', id: `e${seq}`, data: { key: `k${seq % 10}`, seq } };
    });
    const response = await post(`${gateways[batch % 3]!.url}/v1/topics/${topic}/events`, events);
    expect(response.status).toBe(200);
  }

  const byInstance = new Map(gateways.map((gateway) => [gateway.instance, gateway]));
  const ownerOf = (ackId: string): string => ackId.slice(0, ackId.indexOf('.'));
  /** For each event id, the instances whose leases of it were settled, in order. */
  const settledAcks = new Map<string, string[]>();
  let repeatsSettled = 0;
  let repeats = 0;
  let turn = 0;
  let killed: Instance | undefined;
  const leaderBefore = await eventually(() => backend.leader());

  const deadline = Date.now() + 40_000;
  while (settledAcks.size < total && Date.now() < deadline) {
    const alive = gateways.filter((gateway) => gateway.alive);
    const [puller, acker, third] = [0, 1, 2].map((step) => alive[(turn + step) % alive.length]!);
    turn += 1;
    let messages: Delivery[];
    let unknown: string[];
    try {
      const response = await fetch(
        `${puller!.url}/v1/topics/${topic}/groups/${group}/messages?max=25&wait=0.3&from=earliest`,
      );
      messages = ((await response.json()) as { messages: Delivery[] }).messages;
      if (messages.length === 0) continue;
      const acked = await post(`${acker!.url}/v1/topics/${topic}/groups/${group}/ack`, {
        ackIds: messages.map((message) => message.ackId),
      });
      ({ unknown } = (await acked.json()) as { unknown: string[] });
    } catch {
      continue; // An instance was just killed: what it leased comes back once its claims lapse.
    }
    for (const message of messages) {
      if (unknown.includes(message.ackId)) continue;
      const owners = settledAcks.get(message.event.id) ?? [];
      owners.push(ownerOf(message.ackId));
      settledAcks.set(message.event.id, owners);
    }
    try {
      const again = await post(`${third!.url}/v1/topics/${topic}/groups/${group}/ack`, {
        ackIds: messages.map((message) => message.ackId),
      });
      repeatsSettled += ((await again.json()) as { settled: number }).settled;
      repeats += 1;
    } catch {
      // Killed meanwhile.
    }
    if (killed === undefined && settledAcks.size >= total / 3) {
      killed = byInstance.get(leaderBefore)!;
      killed.alive = false;
      killed.child.kill('SIGKILL');
    }
  }

  expect(killed).toBeDefined();
  // Nothing lost: every event was acknowledged through some instance.
  expect(settledAcks.size).toBe(total);
  // A settled lease is never settled again, whichever instance is asked.
  expect(repeats).toBeGreaterThan(10);
  expect(repeatsSettled).toBe(0);
  // An event is acknowledged twice only when the instance holding its first lease died before its
  // transport wrote the ack (at-least-once); the leases of live instances are settled once.
  for (const owners of settledAcks.values()) {
    if (owners.length > 1) expect(owners[0]).toBe(killed!.instance);
  }

  // The killed leader's lease lapses only after its TTL, and the events may all be settled before
  // then (on Redis when the killed instance's pull bridge had gone idle): wait for the takeover to
  // show in the ticks before looking at them.
  await eventually(
    async () => ((await backend.ticks()).at(-1) === killed!.instance ? undefined : true),
    15_000,
  );
  // Two instances ticking at once would interleave every 20 ms, splitting the ticks into hundreds
  // of runs; one at a time gives one run per leadership: one handover after the kill, and room for
  // a few more should a loaded machine delay renewals past the step-down point.
  const runs: string[] = [];
  for (const instance of await backend.ticks()) if (runs.at(-1) !== instance) runs.push(instance);
  expect(runs[0]).toBe(leaderBefore);
  expect(runs.length).toBeGreaterThanOrEqual(2);
  expect(runs.length).toBeLessThanOrEqual(10);
  expect(runs.at(-1)).not.toBe(killed!.instance);
}
