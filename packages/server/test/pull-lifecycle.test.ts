import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eventually, json, post, startTestServer, unique, type TestServer } from './helpers.js';

interface Delivery {
  ackId: string;
  deliveryCount: number;
  event: { id: string; data: { i: number } };
}

let server: TestServer;

beforeAll(async () => {
  server = await startTestServer({ consume: { pullIdleCloseMs: 300 } });
});
afterAll(async () => {
  await server.close();
});

async function pull(topic: string, query: string, signal?: AbortSignal): Promise<Delivery[]> {
  const response = await fetch(
    `${server.url}/v1/topics/${topic}/groups/g/messages?${query}`,
    signal === undefined ? {} : { signal },
  );
  return (await json<{ messages: Delivery[] }>(response)).messages;
}

async function pullBridges(): Promise<number> {
  const text = await (await fetch(`${server.url}/metrics`)).text();
  const line = text.split('\n').find((l) => l.startsWith('eddy_gateway_subscriptions{mode="pull"}'));
  return Number(line?.split(' ')[1] ?? 0);
}

describe('pull bridge lifecycle', () => {
  it('gives buffered messages back when idle, and a later pull gets every one of them', async () => {
    const topic = unique('idle');
    await post(
      `${server.url}/v1/topics/${topic}/events`,
      Array.from({ length: 5 }, (_, i) => ({ data: { i }, key: `k${i}` })),
    );
    const [first] = await eventually(async () => {
      const got = await pull(topic, 'from=earliest&max=1&wait=2');
      return got.length === 1 ? got : undefined;
    });
    await post(`${server.url}/v1/topics/${topic}/groups/g/ack`, { ackIds: [first!.ackId] });
    // The other four sat in the bridge's buffer; after the idle time the bridge closes and gives them back.
    await eventually(async () => ((await pullBridges()) === 0 ? true : undefined));
    const rest: Delivery[] = [];
    await eventually(async () => {
      rest.push(...(await pull(topic, 'max=10&wait=2')));
      return rest.length >= 4 ? true : undefined;
    });
    const all = [first!, ...rest].map((d) => d.event.data.i).sort();
    expect(all).toEqual([0, 1, 2, 3, 4]);
  });

  it('leases nothing to a long-poll whose client went away', async () => {
    const topic = unique('abort');
    expect(await pull(topic, 'from=earliest&max=1')).toEqual([]);
    const controller = new AbortController();
    const abandoned = pull(topic, 'max=1&wait=20', controller.signal).catch((error: unknown) => error);
    // Wait until the server holds the request, then drop it.
    await eventually(async () => {
      const text = await (await fetch(`${server.url}/metrics`)).text();
      return text.includes('eddy_gateway_subscriptions{mode="pull"} 1') ? true : undefined;
    });
    controller.abort();
    expect(await abandoned).toBeInstanceOf(Error);
    await post(`${server.url}/v1/topics/${topic}/events`, { data: { i: 1 } });
    const [delivery] = await eventually(async () => {
      const got = await pull(topic, 'max=1&wait=2');
      return got.length === 1 ? got : undefined;
    });
    // First delivery: the abandoned request did not take it.
    expect(delivery!.deliveryCount).toBe(1);
  });
});
