import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import type { Transport } from '@eddy/core';
import { createNatsTransport } from '@eddy/nats';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { bytes, deleteStreams, text, unique, waitFor } from './helpers.js';

const prefix = unique('eddydrain');
const repoRoot = fileURLToPath(new URL('../../../', import.meta.url));
const open: Transport[] = [];
const PARTITIONS = 8;
// Far above the 2.1 s close redelivery delay, far below what a dropped delivery costs.
const ACK_TIMEOUT_MS = 30_000;

async function transport(): Promise<Transport> {
  const created = await createNatsTransport({ prefix, partitions: PARTITIONS });
  open.push(created);
  return created;
}

/**
 * Publishes core NATS messages to a topic's partition subjects from another process, while this one
 * is blocked: what the server delivers to this process's pulls meanwhile waits unread in its socket.
 */
function publishFromAnotherProcess(topic: string, texts: readonly string[]): void {
  const script = `
    import { connect } from '@nats-io/transport-node';
    const [prefix, topic, ...texts] = process.argv.slice(1);
    const nc = await connect({ servers: '127.0.0.1:4222' });
    texts.forEach((t, i) => nc.publish(prefix + '.' + topic + '.' + (i % ${PARTITIONS}), t));
    await nc.flush();
    await nc.close();`;
  const result = spawnSync(process.execPath, ['--input-type=module', '-e', script, prefix, topic, ...texts], {
    cwd: repoRoot,
    stdio: 'inherit',
    timeout: 60_000,
  });
  if (result.status !== 0) throw new Error(`the publishing process failed (status ${result.status})`);
}

afterEach(async () => {
  await Promise.all(open.splice(0).map((t) => t.close()));
});
afterAll(async () => {
  await deleteStreams(prefix);
});

describe('NATS subscription close', () => {
  it('gives back deliveries that were still unread in the socket, instead of leaving them until the ack timeout', async () => {
    const [first, second, producer] = [await transport(), await transport(), await transport()];
    const topic = unique('drain');
    const group = unique('g');
    let release!: () => void;
    const gate = new Promise<void>((resolve) => (release = resolve));
    const early: string[] = [];
    const subscription = await first.subscribe(
      topic,
      { group, maxInFlight: 1, ackTimeoutMs: ACK_TIMEOUT_MS },
      (message) => {
        early.push(text(message.payload));
        return gate;
      },
    );
    const texts = Array.from({ length: 20 }, (_, i) => `m-${i}`);
    await producer.publish(topic, [{ payload: bytes(texts[0]!) }]);
    await waitFor(() => early.length > 0, 'the first member to take a message');
    // Every partition has a pull waiting; the server fills them while this process cannot read.
    publishFromAnotherProcess(topic, texts.slice(1));
    const closing = subscription.close();
    release();
    await closing;

    const rest = texts.filter((value) => !early.includes(value));
    const late = new Set<string>();
    const startedAt = Date.now();
    await second.subscribe(topic, { group }, (message) => {
      late.add(text(message.payload));
    });
    await waitFor(
      () => rest.every((value) => late.has(value)),
      () => `the rest of the group to get ${rest.filter((value) => !late.has(value)).join(', ')}`,
      ACK_TIMEOUT_MS / 2,
    );
    expect(Date.now() - startedAt).toBeLessThan(ACK_TIMEOUT_MS / 2);
    expect(early).toEqual([texts[0]]);
  }, 60_000);
});
