// NATS-specific: the conformance suite's restart cases (conformance.test.ts) stop the server the way
// a service restart does (SIGTERM). A crash is different on NATS: JetStream writes a consumer's ack
// state lazily, so after a SIGKILL a durable consumer can deliver again what it had acknowledged
// just before (the suite's "keeps its committed position" case would not hold). This file checks
// what does hold after a crash: no resolved publish is lost, and consumption resumes by itself.
import type { Transport } from '@eddy/core';
import { createNatsTransport } from '@eddy/nats';
import { afterAll, describe, expect, it } from 'vitest';
import { bytes, text, unique, waitFor } from './helpers.js';
import { PrivateNatsServer } from './nats-server.js';

// A private server: the shared one on 4222 serves other tests in parallel and must stay up.
describe('NATS server crash mid-stream', () => {
  let server: PrivateNatsServer | undefined;
  let transport: Transport | undefined;
  afterAll(async () => {
    await transport?.close();
    await server?.destroy();
  });

  it('loses no resolved publish and resumes consuming without help after a SIGKILL', async () => {
    server = await PrivateNatsServer.start();
    transport = await createNatsTransport({
      servers: server.url,
      partitions: 2,
      reconnectTimeWaitMs: 100,
      requestTimeoutMs: 2_000,
    });
    const topic = unique('restart');
    const received = new Set<string>();
    // An ack in flight when the server goes down is lost; its message comes back after the ack
    // timeout (the consumer holds it pending), so a short one keeps the test quick.
    await transport.subscribe(
      topic,
      { group: 'g', from: 'earliest', maxInFlight: 4, ackTimeoutMs: 3_000 },
      (m) => {
        received.add(text(m.payload));
      },
    );

    const resolved = new Set<string>();
    let failures = 0;
    let running = true;
    const publisher = (async () => {
      for (let n = 0; running; n += 1) {
        const batch = [`${n}-a`, `${n}-b`];
        try {
          await transport.publish(
            topic,
            batch.map((value) => ({ key: value, payload: bytes(value) })),
          );
          for (const value of batch) resolved.add(value);
        } catch {
          failures += 1;
        }
      }
    })();

    await waitFor(() => resolved.size >= 200 && received.size >= 100, 'traffic before the restart');
    await server.stop('SIGKILL');
    await waitFor(() => failures > 0, 'a publish failing while the server is down');
    const beforeRestart = { resolved: resolved.size, received: received.size };
    await server.start();
    await waitFor(
      () => resolved.size >= beforeRestart.resolved + 200,
      'publishing to resume after the restart',
      30_000,
    );
    running = false;
    await publisher;
    await waitFor(
      () => [...resolved].every((value) => received.has(value)),
      () =>
        `every resolved publish to be consumed (${[...resolved].filter((v) => !received.has(v)).length} missing)`,
      30_000,
    );
    expect(received.size).toBeGreaterThan(beforeRestart.received);
    expect(failures).toBeGreaterThan(0);
  }, 90_000);
});
