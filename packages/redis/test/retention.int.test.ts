import { ErrorCodes, Nack, type EddyError } from '@eddy/core';
import { partitionForKey, PositionLostError } from '@eddy/core/internal';
import { createRedisTransport, type RedisTransport, type RedisTransportOptions } from '@eddy/redis';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { decode, text, uniqueName, waitFor } from './helpers.js';
import { startPrivateRedis, type PrivateRedis } from './private-redis.js';

// A private server: radix-tree nodes of 2 entries make `MAXLEN ~ 4` trim almost exactly, and its
// command statistics show which checks ran without other suites' traffic mixed in.
let server: PrivateRedis;
let raw: Redis;

beforeAll(async () => {
  server = await startPrivateRedis(['--appendonly', 'no', '--stream-node-max-entries', '2']);
  raw = new Redis(server.url);
});
afterAll(async () => {
  raw.disconnect();
  await server.destroy();
});

/** Calls of one command (`xinfo|groups`, `xautoclaim`) since the server started, scripts included. */
async function calls(command: string): Promise<number> {
  const stats = await raw.info('commandstats');
  const match = new RegExp(`cmdstat_${command.replace('|', '\\|')}:calls=(\\d+)`).exec(stats);
  return Number(match?.[1] ?? 0);
}

/** Waits until `command` ran `times` more times: the background checks had their chance. */
async function untilCalled(command: string, times: number): Promise<void> {
  const start = await calls(command);
  await waitFor(async () => (await calls(command)) >= start + times, `${times} more ${command} calls`);
}

function compareIds(a: string, b: string): number {
  const [am = 0n, as = 0n] = a.split('-').map(BigInt);
  const [bm = 0n, bs = 0n] = b.split('-').map(BigInt);
  return am === bm ? Number(as - bs) : Number(am - bm);
}

function rangeOf(error: EddyError): { from: string; to: string } {
  if (!(error instanceof PositionLostError)) throw new Error(`not a PositionLostError: ${error.message}`);
  expect(error.message).toContain(`${error.from}..${error.to}`);
  return { from: error.from, to: error.to };
}

interface Setup {
  readonly topic: string;
  readonly producer: RedisTransport;
  readonly consumer: RedisTransport;
  readonly errors: EddyError[];
  /** The key of the topic's only partition stream. */
  readonly streamKey: string;
  /** Ids of the entries the partition stream still holds. */
  retained(): Promise<string[]>;
  close(): Promise<void>;
}

async function setup(producerOptions: RedisTransportOptions): Promise<Setup> {
  const prefix = `${uniqueName('retention')}:`;
  const errors: EddyError[] = [];
  const common = { url: server.url, prefix, partitions: 1 };
  const producer = await createRedisTransport({ ...common, ...producerOptions });
  const consumer = await createRedisTransport({
    ...common,
    heartbeatIntervalMs: 100,
    sessionTimeoutMs: 1_000,
    trimCheckIntervalMs: 50,
    onError: (error) => errors.push(error),
  });
  const topic = uniqueName('trimmed');
  const streamKey = `${prefix}s:${topic}:0`;
  return {
    topic,
    streamKey,
    producer,
    consumer,
    errors,
    retained: async () => (await raw.xrange(streamKey, '-', '+')).map(([id]) => id),
    close: async () => {
      await Promise.all([producer.close(), consumer.close()]);
    },
  };
}

/** The id of the last entry the group has read. */
async function groupLastDelivered(s: Setup, group: string): Promise<string | undefined> {
  const groups = (await raw.xinfo('GROUPS', s.streamKey)) as unknown[][];
  for (const row of groups) {
    const fields = new Map<unknown, unknown>();
    for (let i = 0; i + 1 < row.length; i += 2) fields.set(row[i], row[i + 1]);
    if (fields.get('name') === group) return String(fields.get('last-delivered-id'));
  }
  return undefined;
}

/** Publishes one message per call, as most producers do, and returns the offsets. */
async function publishEach(transport: RedisTransport, topic: string, payloads: string[]): Promise<string[]> {
  const offsets: string[] = [];
  for (const payload of payloads) {
    const [position] = await transport.publish(topic, [{ key: 'k', payload: text(payload) }]);
    offsets.push(position!.offset);
  }
  return offsets;
}

const names = (from: number, to: number): string[] =>
  Array.from({ length: to - from }, (_, i) => `m${from + i}`);

describe('redis retention reports messages trimmed before a group processed them', () => {
  it('a group that was away gets one PositionLostError for the gap, then the retained messages', async () => {
    const s = await setup({ retention: { maxLen: 4 } });
    try {
      const received: string[] = [];
      const handler = (message: { payload: Uint8Array }): void => {
        received.push(decode(message.payload));
      };
      const first = await s.consumer.subscribe(s.topic, { group: 'slow', from: 'earliest' }, handler);
      const early = await publishEach(s.producer, s.topic, names(0, 2));
      await waitFor(() => received.length === 2, 'the first two messages');
      await first.close();

      const offsets = [...early, ...(await publishEach(s.producer, s.topic, names(2, 22)))];
      const retained = await s.retained();
      expect(retained.length).toBeLessThan(8);
      const firstKept = offsets.indexOf(retained[0]!);
      expect(firstKept).toBeGreaterThan(2);

      await s.consumer.subscribe(s.topic, { group: 'slow', from: 'earliest' }, handler);
      await waitFor(() => received.length === 2 + retained.length, 'the retained messages');
      await waitFor(() => s.errors.length > 0, 'the loss report');
      await untilCalled('xinfo|groups', 3);

      expect(received).toEqual([...names(0, 2), ...names(firstKept, 22)]);
      expect(s.errors).toHaveLength(1);
      const error = s.errors[0]!;
      expect(error).toBeInstanceOf(PositionLostError);
      expect(error.code).toBe(ErrorCodes.PositionLost);
      expect(error).toMatchObject({ topic: s.topic, group: 'slow', partition: 0 });
      const { from, to } = rangeOf(error);
      // The range holds exactly the lost messages m2 .. m(firstKept - 1), and none that were kept or read.
      expect(compareIds(from, offsets[1]!)).toBeGreaterThan(0);
      expect(compareIds(from, offsets[2]!)).toBeLessThanOrEqual(0);
      expect(compareIds(to, offsets[firstKept - 1]!)).toBeGreaterThanOrEqual(0);
      expect(compareIds(to, offsets[firstKept]!)).toBeLessThan(0);
    } finally {
      await s.close();
    }
  });

  it('each partition reports its own gap', async () => {
    const prefix = `${uniqueName('retention')}:`;
    const errors: EddyError[] = [];
    const common = { url: server.url, prefix, partitions: 2 };
    const producer = await createRedisTransport({ ...common, retention: { maxLen: 4 } });
    const consumer = await createRedisTransport({
      ...common,
      trimCheckIntervalMs: 50,
      onError: (error) => errors.push(error),
    });
    try {
      const topic = uniqueName('split');
      const keyOf = (partition: number): string =>
        ['a', 'b', 'c', 'd', 'e', 'f'].find((key) => partitionForKey(key, 2) === partition)!;
      const received: string[] = [];
      const subscription = await consumer.subscribe(topic, { group: 'away', from: 'earliest' }, (m) => {
        received.push(decode(m.payload));
      });
      await subscription.close();
      for (let i = 0; i < 12; i++) {
        await producer.publish(topic, [
          { key: keyOf(0), payload: text(`p0-${i}`) },
          { key: keyOf(1), payload: text(`p1-${i}`) },
        ]);
      }
      await consumer.subscribe(topic, { group: 'away', from: 'earliest' }, (m) => {
        received.push(decode(m.payload));
      });
      await waitFor(() => errors.length === 2, 'a report per partition');
      await untilCalled('xinfo|groups', 4);
      expect(errors).toHaveLength(2);
      expect(errors.map((error) => (error as PositionLostError).partition).sort()).toEqual([0, 1]);
      expect(received.some((name) => name === 'p0-0' || name === 'p1-0')).toBe(false);
    } finally {
      await Promise.all([producer.close(), consumer.close()]);
    }
  });

  it('a group stuck on a slow handler is told while it waits, each lost range once, and then goes on', async () => {
    const s = await setup({ retention: { maxLen: 4 } });
    try {
      const received: string[] = [];
      let release!: () => void;
      const gate = new Promise<void>((resolve) => (release = resolve));
      await s.consumer.subscribe(s.topic, { group: 'busy', from: 'earliest', maxInFlight: 1 }, async (m) => {
        received.push(decode(m.payload));
        if (received.length === 1) await gate;
      });
      const offsets = await publishEach(s.producer, s.topic, names(0, 1));
      await waitFor(() => received.length === 1, 'the first message to be running');
      offsets.push(...(await publishEach(s.producer, s.topic, names(1, 20))));
      const retained = await s.retained();
      const firstKept = offsets.indexOf(retained[0]!);
      // Reported while the handler is still stuck: the checks do not wait for the group to read.
      await waitFor(
        () => s.errors.length > 0 && compareIds(rangeOf(s.errors.at(-1)!).to, offsets[firstKept - 1]!) >= 0,
        'the loss report up to the oldest kept entry',
      );
      release();
      await waitFor(() => received.length === 1 + retained.length, 'the retained messages');
      await untilCalled('xinfo|groups', 3);

      expect(received).toEqual(['m0', ...names(firstKept, 20)]);
      // Trimming went on while the checks ran, so there may be several reports: each a new range,
      // together exactly from after m0 to before the oldest kept entry.
      const ranges = s.errors.map((error) => {
        expect(error).toBeInstanceOf(PositionLostError);
        expect(error).toMatchObject({ code: 'EDDY_POSITION_LOST' });
        return rangeOf(error);
      });
      expect(compareIds(ranges[0]!.from, offsets[0]!)).toBeGreaterThan(0);
      expect(compareIds(ranges[0]!.from, offsets[1]!)).toBeLessThanOrEqual(0);
      for (let i = 1; i < ranges.length; i++) {
        expect(compareIds(ranges[i]!.from, ranges[i - 1]!.to)).toBeGreaterThan(0);
        expect(compareIds(ranges[i]!.from, ranges[i]!.to)).toBeLessThanOrEqual(0);
      }
      const { to } = ranges.at(-1)!;
      expect(compareIds(to, offsets[firstKept - 1]!)).toBeGreaterThanOrEqual(0);
      expect(compareIds(to, offsets[firstKept]!)).toBeLessThan(0);
    } finally {
      await s.close();
    }
  });

  it('a group that keeps up gets no error, and a new group from earliest starts at the oldest kept entry without one', async () => {
    const s = await setup({ retention: { maxLen: 4 } });
    try {
      const received: string[] = [];
      await s.consumer.subscribe(s.topic, { group: 'fast', from: 'earliest' }, (m) => {
        received.push(decode(m.payload));
      });
      for (const [i, name] of names(0, 12).entries()) {
        await publishEach(s.producer, s.topic, [name]);
        await waitFor(() => received.length === i + 1, `${name} to arrive`);
      }
      const retained = await s.retained();
      expect(retained.length).toBeLessThan(12); // trimming did happen

      const late: string[] = [];
      await s.consumer.subscribe(s.topic, { group: 'late', from: 'earliest' }, (m) => {
        late.push(decode(m.payload));
      });
      await waitFor(() => late.length === retained.length, 'the retained messages for the new group');
      await untilCalled('xinfo|groups', 4);

      expect(received).toEqual(names(0, 12));
      expect(late).toEqual(names(12 - retained.length, 12));
      expect(s.errors).toEqual([]);
    } finally {
      await s.close();
    }
  });

  it('a nacked message trimmed before its redelivery is reported, and the messages after it still arrive', async () => {
    const s = await setup({ retention: { maxLen: 4 } });
    try {
      const attempts: string[] = [];
      const offsets: string[] = [];
      await s.consumer.subscribe(
        s.topic,
        { group: 'retry', from: 'earliest', maxInFlight: 50 },
        async (m) => {
          const name = decode(m.payload);
          attempts.push(name);
          if (name !== 'm0') return;
          // While m0 waits for its redelivery, retention trims it away. Each message is read by the
          // group before the next is published, so only m0 (pending, unacknowledged) is lost.
          for (const next of names(1, 11)) {
            offsets.push(...(await publishEach(s.producer, s.topic, [next])));
            await waitFor(async () => (await groupLastDelivered(s, 'retry')) === offsets.at(-1), 'the read');
          }
          throw new Nack(100);
        },
      );
      const [first] = await publishEach(s.producer, s.topic, ['m0']);
      await waitFor(() => s.errors.length === 1, 'the loss report');
      await waitFor(() => attempts.length === 11, 'the messages after m0');
      await untilCalled('xinfo|groups', 3);

      expect(attempts).toEqual(names(0, 11)); // m0 once: it was gone before its redelivery
      expect(s.errors).toHaveLength(1);
      expect(s.errors[0]).toBeInstanceOf(PositionLostError);
      expect(s.errors[0]).toMatchObject({ code: 'EDDY_POSITION_LOST' });
      expect(rangeOf(s.errors[0]!)).toEqual({ from: first, to: first });
      expect(await raw.xpending(s.streamKey, 'retry')).toEqual([0, null, null, null]);
    } finally {
      await s.close();
    }
  });

  it('a message a departed member left unacknowledged, trimmed before the next member took over, is reported on takeover', async () => {
    const s = await setup({ retention: { maxLen: 4 } });
    let release!: () => void;
    const gate = new Promise<void>((resolve) => (release = resolve));
    try {
      const first = await s.consumer.subscribe(
        s.topic,
        { group: 'handover', from: 'earliest', ackTimeoutMs: 200, maxInFlight: 1 },
        () => gate,
      );
      const [m0] = await publishEach(s.producer, s.topic, ['m0']);
      await waitFor(async () => (await groupLastDelivered(s, 'handover')) === m0, 'm0 to be handed out');
      await first.close(); // gives up on the stuck handler after its ack timeout: m0 stays pending
      const offsets = await publishEach(s.producer, s.topic, names(1, 12));
      const retained = await s.retained();
      const firstKept = offsets.indexOf(retained[0]!);

      const received: string[] = [];
      await s.consumer.subscribe(s.topic, { group: 'handover', from: 'earliest' }, (m) => {
        received.push(decode(m.payload));
      });
      await waitFor(() => received.length === retained.length, 'the retained messages');
      await waitFor(() => s.errors.length === 2, 'both loss reports');
      await untilCalled('xinfo|groups', 3);

      expect(received).toEqual(names(firstKept + 1, 12));
      expect(s.errors.every((error) => error instanceof PositionLostError)).toBe(true);
      expect(s.errors.map((error) => error.code)).toEqual([ErrorCodes.PositionLost, ErrorCodes.PositionLost]);
      const ranges = s.errors.map(rangeOf);
      // m0, delivered and never acknowledged, and m1 .. before the oldest kept entry, never read.
      expect(ranges).toContainEqual({ from: m0, to: m0 });
      const unread = ranges.find((range) => range.from !== m0)!;
      expect(compareIds(unread.from, m0!)).toBeGreaterThan(0);
      expect(compareIds(unread.from, offsets[0]!)).toBeLessThanOrEqual(0);
      expect(compareIds(unread.to, offsets[firstKept - 1]!)).toBeGreaterThanOrEqual(0);
      expect(compareIds(unread.to, offsets[firstKept]!)).toBeLessThan(0);
      expect(s.errors).toHaveLength(2);
    } finally {
      release();
      await s.close();
    }
  });

  it('on a topic no publisher trims, the check never runs', async () => {
    const s = await setup({});
    try {
      const received: string[] = [];
      await s.consumer.subscribe(s.topic, { group: 'plain', from: 'earliest', ackTimeoutMs: 200 }, (m) => {
        received.push(decode(m.payload));
      });
      const before = await calls('xinfo|groups');
      await publishEach(s.producer, s.topic, names(0, 5));
      await waitFor(() => received.length === 5, 'the messages');
      // Each sweep claims with XAUTOCLAIM; twenty sweeps span many check intervals (50 ms).
      await untilCalled('xautoclaim', 20);
      expect(await calls('xinfo|groups')).toBe(before);
      expect(s.errors).toEqual([]);
    } finally {
      await s.close();
    }
  });
});
