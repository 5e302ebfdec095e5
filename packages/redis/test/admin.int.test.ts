import { isEddyError } from '@eddy/core';
import { partitionForKey } from '@eddy/core/internal';
import { createRedisTransport, type RedisTransport, type RedisTransportOptions } from '@eddy/redis';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { decode, deleteKeys, REDIS_URL, text, uniqueName, uniquePrefix, waitFor } from './helpers.js';

// What the shared admin suite cannot see: how the admin maps onto Redis (pending entries, the
// transport's retention, trimming, stream ids as offsets).
const prefix = uniquePrefix('admin');
const open: RedisTransport[] = [];
let raw: Redis;

const transport = async (options: RedisTransportOptions = {}): Promise<RedisTransport> => {
  const created = await createRedisTransport({
    url: REDIS_URL,
    prefix,
    partitions: 2,
    heartbeatIntervalMs: 200,
    sessionTimeoutMs: 2_000,
    ...options,
  });
  open.push(created);
  return created;
};

async function codeOf(work: Promise<unknown>): Promise<string | undefined> {
  try {
    await work;
  } catch (error) {
    return isEddyError(error) ? error.code : `not an EddyError: ${String(error)}`;
  }
  return undefined;
}

beforeAll(() => {
  raw = new Redis(REDIS_URL);
});
afterAll(async () => {
  await Promise.all(open.map((t) => t.close()));
  raw.disconnect();
  await deleteKeys(prefix);
});

describe('redis admin', () => {
  it('reports the transport retention, a byte size, and rejects per-topic limits it does not apply', async () => {
    const t = await transport({ retention: { maxLen: 1_000 } });
    const topic = uniqueName('retained');
    await t.admin.createTopic(topic, { retentionMessages: 1_000, retentionMs: 0 });
    await t.publish(topic, [{ key: 'a', payload: text('x'.repeat(500)) }]);
    const [summary] = (await t.admin.listTopics()).filter((candidate) => candidate.name === topic);
    expect(summary).toMatchObject({
      retentionMessages: 1_000,
      retentionMs: undefined,
      retentionBytes: undefined,
    });
    const busy = summary!.partitionInfo.find((info) => info.partition === partitionForKey('a', 2))!;
    expect(busy.bytes).toBeGreaterThan(500);
    expect(summary!.bytes).toBe(busy.bytes);
    expect(await codeOf(t.admin.createTopic(topic, { retentionMessages: 10 }))).toBe('EDDY_NOT_SUPPORTED');
    expect(await codeOf(t.admin.createTopic(topic, { retentionBytes: 1_000 }))).toBe('EDDY_NOT_SUPPORTED');
    expect(await codeOf(t.admin.createTopic(topic, { retentionMs: -1 }))).toBe('EDDY_INVALID_OPTION');
  });

  it('refuses to create a topic with a partition count this transport cannot use', async () => {
    const t = await transport();
    const topic = uniqueName('three');
    expect(await codeOf(t.admin.createTopic(topic, { partitions: 3 }))).toBe('EDDY_INVALID_OPTION');
    expect((await t.admin.listTopics()).some((candidate) => candidate.name === topic)).toBe(false);
  });

  it('counts delivered but unacknowledged entries as lag, with the lowest pending id as position', async () => {
    const t = await transport();
    const topic = uniqueName('pending');
    const positions = await t.publish(topic, [
      { key: 'k', payload: text('one') },
      { key: 'k', payload: text('two') },
      { key: 'k', payload: text('three') },
    ]);
    const partition = positions[0]!.partition;
    // A member that read two entries and stopped without acknowledging them.
    await raw.xgroup('CREATE', `${prefix}s:${topic}:${partition}`, 'g', '0');
    await raw.xreadgroup(
      'GROUP',
      'g',
      'gone',
      'COUNT',
      2,
      'STREAMS',
      `${prefix}s:${topic}:${partition}`,
      '>',
    );
    const [group] = await t.admin.listGroups(topic);
    const info = group!.partitions.find((p) => p.partition === partition)!;
    expect(info).toMatchObject({ lag: 3, position: positions[0]!.offset, owner: undefined });
    expect(group!.lag).toBe(3);
    expect(group!.members).toBe(0);

    // Resetting acknowledges the pending entries: a new member sees only what follows the reset.
    await t.admin.resetGroup(topic, 'g', 'latest');
    expect(await raw.xpending(`${prefix}s:${topic}:${partition}`, 'g')).toEqual([0, null, null, null]);
    expect((await t.admin.listGroups(topic))[0]!.lag).toBe(0);
    const got: string[] = [];
    const subscription = await t.subscribe(topic, { group: 'g', ackTimeoutMs: 1_000 }, (message) => {
      got.push(decode(message.payload));
    });
    await t.publish(topic, [{ key: 'k', payload: text('after') }]);
    await waitFor(() => got.includes('after'), 'the message published after the reset');
    expect(got).toEqual(['after']);
    await subscription.close();
  });

  it('reads stream ids as offsets, rejects other offsets, and reports deliverAt', async () => {
    const t = await transport();
    const topic = uniqueName('read');
    const deliverAt = Date.now() + 60_000;
    const [position] = await t.publish(topic, [{ key: 'r', payload: text('later'), deliverAt }]);
    const [message] = await t.admin.readMessages(topic, {
      partition: position!.partition,
      fromOffset: position!.offset,
    });
    expect(message).toMatchObject({ offset: position!.offset, key: 'r', deliverAt });
    expect(message!.publishedAt).toBe(Number(position!.offset.split('-')[0]));
    expect(
      await codeOf(t.admin.readMessages(topic, { partition: position!.partition, fromOffset: 'first' })),
    ).toBe('EDDY_INVALID_OPTION');
  });

  it('shows a group behind retention until a reset moves it to what is retained', async () => {
    const t = await transport({ retention: { maxLen: 10 } });
    const topic = uniqueName('trimmed');
    await (await t.subscribe(topic, { group: 'late', from: 'earliest' }, () => undefined)).close();
    // Redis trims whole radix-tree nodes (100 entries by default): 300 entries lose some for sure.
    await t.publish(
      topic,
      Array.from({ length: 300 }, (_, i) => ({ key: 'one', payload: text(`m${i}`) })),
    );
    const partition = partitionForKey('one', 2);
    const retained = (await t.admin.listTopics()).find((candidate) => candidate.name === topic)!;
    const kept = retained.partitionInfo[partition]!.messages;
    expect(kept).toBeLessThan(300);
    const [behind] = await t.admin.listGroups(topic);
    expect(behind!.partitions[partition]).toMatchObject({ behindRetention: true, lag: kept });

    await t.admin.resetGroup(topic, 'late', 'earliest');
    const [reset] = await t.admin.listGroups(topic);
    expect(reset!.partitions[partition]).toMatchObject({ behindRetention: false, lag: kept });
  });
  // A member learns of a reset through Redis (its lease is gone, the generation counter moved), so
  // messages it held may still start before it looks; what matters is that the key does not stall.
  it.each(['earliest', 'latest'] as const)(
    'a member holding messages of a key through a reset to %s goes on with what follows the reset',
    async (to) => {
      const t = await transport();
      const topic = uniqueName('held');
      const texts = ['a', 'b', 'c', 'd'];
      await t.publish(
        topic,
        texts.map((value) => ({ key: 'held', payload: text(value) })),
      );
      const got: string[] = [];
      let release: () => void = () => undefined;
      const gate = new Promise<void>((resolve) => (release = resolve));
      const subscription = await t.subscribe(topic, { group: 'g', from: 'earliest' }, async (message) => {
        got.push(decode(message.payload));
        if (got.length === 1) await gate;
      });
      await waitFor(() => got.length === 1, 'the first message handed out');
      await t.admin.resetGroup(topic, 'g', to);
      release();
      await t.publish(topic, [{ key: 'held', payload: text('after') }]);
      await waitFor(() => got.includes('after'), 'the message published after the reset');
      if (to === 'earliest') {
        await waitFor(() => texts.every((value) => got.filter((x) => x === value).length >= 2), 'a replay');
      }
      await waitFor(async () => (await t.admin.listGroups(topic))[0]!.lag === 0, 'lag 0');
      expect(got.filter((x) => x === 'after')).toEqual(['after']);
      expect(got.at(-1)).toBe('after');
      await subscription.close();
    },
  );
});
