import { afterAll, describe, expect, it } from 'vitest';
import { isEddyError, Nack, type ReceivedMessage } from '@eddy/core';
import { createSqliteTransport, type SqliteTransport } from '@eddy/sqlite';
import { decode, tempDir, text, unique, waitFor } from './helpers.js';

const tmp = tempDir();
const open: SqliteTransport[] = [];
function transport(options: Partial<Parameters<typeof createSqliteTransport>[0]> = {}): SqliteTransport {
  const created = createSqliteTransport({ path: tmp.file(), ...options });
  open.push(created);
  return created;
}

afterAll(async () => {
  await Promise.all(open.map((t) => t.close()));
  tmp.remove();
});

describe('sqlite transport', () => {
  it('keeps the connection at the configured synchronous mode around publish commits', async () => {
    const normal = transport({ synchronous: 'normal' });
    const full = transport({ synchronous: 'full' });
    const mode = (t: SqliteTransport): unknown => t.native.pragma('synchronous', { simple: true });
    const before = [mode(normal), mode(full)];
    await Promise.all([
      normal.publish('mode', [{ payload: text('a') }]),
      full.publish('mode', [{ payload: text('a') }]),
    ]);
    await normal.publish('mode', [{ payload: text('b') }]);
    await full.publish('mode', [{ payload: text('b') }]);
    // SQLite's codes: 1 NORMAL, 2 FULL.
    expect(before).toEqual([1, 2]);
    expect([mode(normal), mode(full)]).toEqual([1, 2]);
  });

  // The conformance suite runs only what a transport declares: a flag turned false would drop its
  // cases silently, so the declared object is pinned whole.
  it('declares every capability, durable only on a file', () => {
    const declared = {
      durable: true,
      orderingPerKey: true,
      consumerGroups: true,
      replay: true,
      replayFromTime: true,
      delayedDelivery: true,
      nackDelay: true,
      filtering: true,
      supersede: true,
      maxMessageBytes: 1024 * 1024,
      leaseExtension: true,
      publishDedupe: true,
    };
    expect(transport().capabilities).toEqual(declared);
    expect(transport({ path: ':memory:' }).capabilities).toEqual({ ...declared, durable: false });
  });

  it('exposes its better-sqlite3 connection as native', () => {
    expect(transport().native.pragma('journal_mode', { simple: true })).toBe('wal');
  });

  it('publishes with contiguous offsets per partition and delivers payloads and headers intact', async () => {
    const t = transport();
    const topic = unique('basic');
    const positions = await t.publish(topic, [
      { key: 'a', payload: text('one'), headers: { 'x-one': '1' } },
      { key: 'a', payload: new Uint8Array([0, 255, 1]) },
    ]);
    expect(positions[0]!.partition).toBe(positions[1]!.partition);
    expect(Number(positions[1]!.offset)).toBe(Number(positions[0]!.offset) + 1);
    const got: ReceivedMessage[] = [];
    await t.subscribe(topic, { group: 'g', from: 'earliest' }, (m) => {
      got.push(m);
    });
    await waitFor(() => got.length === 2);
    expect(decode(got[0]!.payload)).toBe('one');
    expect(got[0]!.headers).toEqual({ 'x-one': '1' });
    expect([...got[1]!.payload]).toEqual([0, 255, 1]);
    expect(got[0]!.deliveryCount).toBe(1);
  });

  it('keeps per-key order with many in flight, and spreads a group over its members', async () => {
    const a = transport();
    const b = transport();
    const topic = unique('order');
    const seen = new Map<string, number[]>();
    const byMember = [0, 0];
    const handler = (member: number) => async (m: ReceivedMessage) => {
      const [key, n] = decode(m.payload).split(':');
      const list = seen.get(key!) ?? [];
      list.push(Number(n));
      seen.set(key!, list);
      byMember[member]! += 1;
      await new Promise((resolve) => setImmediate(resolve));
    };
    await a.subscribe(topic, { group: 'g', from: 'earliest', maxInFlight: 64 }, handler(0));
    await b.subscribe(topic, { group: 'g', from: 'earliest', maxInFlight: 64 }, handler(1));
    await waitFor(
      () => a.admin.listGroups(topic)[0]?.partitions.every((p) => p.owner !== undefined) === true,
    );
    const keys = Array.from({ length: 20 }, (_, i) => `k${i}`);
    for (let round = 0; round < 50; round++) {
      await a.publish(
        topic,
        keys.map((key) => ({ key, payload: text(`${key}:${round}`) })),
      );
    }
    await waitFor(() => [...seen.values()].reduce((sum, list) => sum + list.length, 0) >= 1000);
    for (const list of seen.values()) expect(list).toEqual(Array.from({ length: 50 }, (_, i) => i));
    expect(byMember[0]).toBeGreaterThan(0);
    expect(byMember[1]).toBeGreaterThan(0);
  });

  it('fans out across groups', async () => {
    const t = transport();
    const topic = unique('fan');
    const counts = { x: 0, y: 0 };
    await t.subscribe(topic, { group: 'x' }, () => void counts.x++);
    await t.subscribe(topic, { group: 'y' }, () => void counts.y++);
    await t.publish(
      topic,
      Array.from({ length: 10 }, () => ({ payload: text('m') })),
    );
    await waitFor(() => counts.x === 10 && counts.y === 10);
  });

  it('redelivers after a nack with its delay and counts deliveries', async () => {
    const t = transport();
    const topic = unique('nack');
    const deliveries: { count: number; at: number }[] = [];
    await t.subscribe(topic, { group: 'g' }, (m) => {
      deliveries.push({ count: m.deliveryCount, at: Date.now() });
      if (m.deliveryCount < 3) throw new Nack(50);
    });
    await t.publish(topic, [{ payload: text('x') }]);
    await waitFor(() => deliveries.length === 3);
    expect(deliveries.map((d) => d.count)).toEqual([1, 2, 3]);
    expect(deliveries[2]!.at - deliveries[1]!.at).toBeGreaterThanOrEqual(45);
  });

  it('redelivers to another member after the ack timeout when a member hangs', async () => {
    const a = transport();
    const b = transport();
    const topic = unique('timeout');
    let hung = 0;
    const seenByB: ReceivedMessage[] = [];
    await a.subscribe(topic, { group: 'g', ackTimeoutMs: 300 }, () => {
      hung += 1;
      return new Promise<void>(() => undefined);
    });
    await a.publish(topic, [{ key: 'k', payload: text('stuck') }]);
    await waitFor(() => hung === 1);
    await b.subscribe(topic, { group: 'g', ackTimeoutMs: 300 }, (m) => void seenByB.push(m));
    await waitFor(() => seenByB.length === 1, 10_000, 'redelivery to b');
    expect(seenByB[0]!.deliveryCount).toBeGreaterThanOrEqual(2);
  });

  it('starts new groups at earliest, latest, an offset or a time, and replays on reset', async () => {
    const t = transport({ partitions: 1 });
    const topic = unique('start');
    const first = await t.publish(topic, [{ payload: text('0') }, { payload: text('1') }]);
    const middle = Date.now();
    await waitFor(() => Date.now() > middle);
    await t.publish(topic, [{ payload: text('2') }]);
    const read = async (
      group: string,
      from: Parameters<SqliteTransport['subscribe']>[1]['from'],
      expected: number,
    ) => {
      const got: string[] = [];
      const sub = await t.subscribe(topic, { group, ...(from === undefined ? {} : { from }) }, (m) => {
        got.push(decode(m.payload));
      });
      await waitFor(() => got.length >= expected);
      await sub.close();
      return got;
    };
    expect(await read('e', 'earliest', 3)).toEqual(['0', '1', '2']);
    expect(await read('o', { positions: [first[1]!] }, 2)).toEqual(['1', '2']);
    // '2' was published in a later millisecond than `middle`; '0' and '1' at or before it.
    expect(await read('t', { time: middle + 1 }, 1)).toEqual(['2']);
    const latest: string[] = [];
    const sub = await t.subscribe(
      topic,
      { group: 'l', from: 'latest' },
      (m) => void latest.push(decode(m.payload)),
    );
    await t.publish(topic, [{ payload: text('3') }]);
    await waitFor(() => latest.length === 1);
    expect(latest).toEqual(['3']);
    await sub.close();
    t.admin.resetGroup(topic, 'e', 'earliest');
    expect(await read('e', undefined, 4)).toEqual(['0', '1', '2', '3']);
  });

  it('replays to a live member when its group is reset', async () => {
    const t = transport({ partitions: 2 });
    const topic = unique('reset-live');
    const got: string[] = [];
    await t.subscribe(topic, { group: 'g', from: 'earliest' }, (m) => void got.push(decode(m.payload)));
    await t.publish(
      topic,
      ['a', 'b', 'c'].map((body) => ({ key: body, payload: text(body) })),
    );
    await waitFor(() => got.length === 3);
    await waitFor(() => t.admin.listGroups(topic)[0]!.lag === 0, 10_000, 'acks committed');
    t.admin.resetGroup(topic, 'g', 'earliest');
    await waitFor(() => got.length === 6, 10_000, 'the replay');
    expect(got.slice(3).sort()).toEqual(['a', 'b', 'c']);
  });

  it('holds a delayed message until its deliverAt', async () => {
    const t = transport();
    const topic = unique('delay');
    const got: { body: string; at: number }[] = [];
    await t.subscribe(
      topic,
      { group: 'g' },
      (m) => void got.push({ body: decode(m.payload), at: Date.now() }),
    );
    const due = Date.now() + 300;
    await t.publish(topic, [{ payload: text('later'), deliverAt: due }, { payload: text('now') }]);
    await waitFor(() => got.length === 2);
    expect(got[0]!.body).toBe('now');
    expect(got[1]!.at).toBeGreaterThanOrEqual(due);
  });

  it('applies retention and signals a group that fell behind it', async () => {
    const errors: Error[] = [];
    const t = transport({ partitions: 1, onError: (error) => errors.push(error) });
    const topic = unique('retain');
    t.admin.createTopic(topic, { retentionMessages: 5 });
    await t.subscribe(topic, { group: 'slow', from: 'earliest' }, () => undefined).then((s) => s.close());
    await t.publish(
      topic,
      Array.from({ length: 20 }, (_, i) => ({ payload: text(String(i)) })),
    );
    expect(await t.admin.applyRetention()).toBe(15);
    const info = t.admin.listTopics().find((x) => x.name === topic)!;
    expect(info.messages).toBe(5);
    expect(info.partitionInfo[0]!.firstOffset).toBe('0000000000000015');
    const behind = t.admin.listGroups(topic)[0]!;
    expect(behind.partitions[0]!.behindRetention).toBe(true);
    expect(behind.lag).toBe(5);
    const got: string[] = [];
    await t.subscribe(topic, { group: 'slow' }, (m) => void got.push(decode(m.payload)));
    await waitFor(() => got.length === 5);
    expect(got[0]).toBe('15');
    expect(errors.some((error) => isEddyError(error, 'EDDY_POSITION_LOST'))).toBe(true);
  });

  it('reports topics, groups with lag, and message ranges', async () => {
    const t = transport({ partitions: 2 });
    const topic = unique('admin');
    await t.publish(topic, [{ key: 'a', payload: text('hello') }]);
    const group = t.admin.listGroups(topic);
    expect(group).toEqual([]);
    let release = (): void => undefined;
    const held = new Promise<void>((resolve) => (release = resolve));
    let delivered = false;
    const sub = await t.subscribe(topic, { group: 'g', from: 'earliest' }, () => {
      delivered = true;
      return held;
    });
    await waitFor(() => delivered);
    expect(t.admin.listGroups(topic)[0]!.lag).toBe(1);
    const [summary] = t.admin.listTopics().filter((x) => x.name === topic);
    expect(summary!.messages).toBe(1);
    expect(summary!.bytes).toBe(6);
    const partition = summary!.partitionInfo.find((p) => p.messages === 1)!.partition;
    const messages = t.admin.readMessages(topic, { partition });
    expect(decode(messages[0]!.payload)).toBe('hello');
    release();
    await sub.close();
    expect(t.admin.listGroups(topic)[0]!.lag).toBe(0);
  });

  it('rejects bad names and oversize messages with typed errors', async () => {
    const t = transport({ maxMessageBytes: 10 });
    await expect(t.publish('bad topic', [{ payload: text('x') }])).rejects.toMatchObject({
      code: 'EDDY_INVALID_TOPIC',
    });
    await expect(t.publish(unique('big'), [{ payload: new Uint8Array(11) }])).rejects.toMatchObject({
      code: 'EDDY_MESSAGE_TOO_LARGE',
    });
  });
});
