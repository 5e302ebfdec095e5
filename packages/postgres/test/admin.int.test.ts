import { createGate, waitFor as waitUntil } from '@eddy/conformance';
import {
  createPostgresTransport,
  type PostgresTransport,
  type PostgresTransportOptions,
} from '@eddy/postgres';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { bytes, dropSchema, randomName, TEST_URL, testSchema, text } from './helpers.js';

const schema = testSchema();
const open: PostgresTransport[] = [];

async function transport(options: Partial<PostgresTransportOptions> = {}): Promise<PostgresTransport> {
  const created = await createPostgresTransport({
    connectionString: TEST_URL,
    schema,
    poolSize: 4,
    pollIntervalMs: 200,
    ...options,
  });
  open.push(created);
  return created;
}

afterEach(async () => {
  await Promise.all(open.splice(0).map((t) => t.close()));
});
afterAll(() => dropSchema(schema));

const groupOf = async (t: PostgresTransport, topic: string, group: string) =>
  (await t.admin.listGroups(topic)).find((summary) => summary.group === group);

describe('PostgreSQL admin', () => {
  it('reports retention from the transport options, a topic limit replacing the schema-wide one', async () => {
    const own = randomName('own');
    const other = randomName('other');
    const t = await transport({
      retention: { retentionMs: 86_400_000, retentionMessages: 1000 },
      topics: { [own]: { retentionMessages: 0 } },
      retentionIntervalMs: 0,
    });
    await t.admin.createTopic(own);
    await t.admin.createTopic(other);
    const topics = await t.admin.listTopics();
    expect(topics.find((topic) => topic.name === own)).toMatchObject({
      retentionMs: 86_400_000,
      retentionMessages: undefined,
      retentionBytes: undefined,
    });
    expect(topics.find((topic) => topic.name === other)).toMatchObject({
      retentionMs: 86_400_000,
      retentionMessages: 1000,
    });
  });

  it('shows a group behind retention, counting as lag only the messages still retained', async () => {
    const topic = randomName('trimmed');
    const group = randomName('slow');
    const t = await transport({ topics: { [topic]: { retentionMessages: 2 } }, retentionIntervalMs: 0 });
    await (await t.subscribe(topic, { group, from: 'earliest' }, () => undefined)).close();
    const positions = await t.publish(
      topic,
      ['m0', 'm1', 'm2', 'm3', 'm4'].map((value) => ({ key: 'one', payload: bytes(value) })),
    );
    const partition = positions[0]!.partition;
    expect(await t.applyRetention()).toBe(3);
    const info = (await t.admin.listTopics())
      .find((summary) => summary.name === topic)
      ?.partitionInfo.find((p) => p.partition === partition);
    expect(info).toMatchObject({ firstOffset: '3', lastOffset: '4', messages: 2 });
    const behind = (await groupOf(t, topic, group))?.partitions.find((p) => p.partition === partition);
    expect(behind).toMatchObject({ position: '0', lag: 2, behindRetention: true, owner: undefined });
    const read = await t.admin.readMessages(topic, { partition, fromOffset: 0 });
    expect(read.map((message) => text(message.payload))).toEqual(['m3', 'm4']);
  });

  it('resetGroup creates a group that does not exist yet at the given position', async () => {
    const t = await transport();
    const topic = randomName('fresh');
    const group = randomName('new');
    await t.publish(topic, [{ payload: bytes('a') }, { payload: bytes('b') }]);
    await t.admin.resetGroup(topic, group, 'earliest');
    expect((await groupOf(t, topic, group))?.lag).toBe(2);
  });

  it('counts an idle member subscribed through the same transport instance', async () => {
    const t = await transport();
    const topic = randomName('idle');
    const group = randomName('members');
    const subscription = await t.subscribe(topic, { group }, () => undefined);
    expect((await groupOf(t, topic, group))?.members).toBe(1);
    await subscription.close();
    expect((await groupOf(t, topic, group))?.members).toBe(0);
  });

  it('resetGroup while a member holds messages in flight: it gets them again and the lag settles to 0', async () => {
    const member = await transport();
    const t = await transport();
    const topic = randomName('inflight');
    const group = randomName('busy');
    const gate = createGate();
    const seen: string[] = [];
    await member.subscribe(topic, { group, from: 'earliest' }, async (message) => {
      seen.push(text(message.payload));
      await gate.promise;
    });
    await member.publish(topic, [{ payload: bytes('x') }, { payload: bytes('y') }, { payload: bytes('z') }]);
    await waitUntil(() => seen.length === 3, { description: 'three messages in flight' });
    await t.admin.resetGroup(topic, group, 'earliest');
    await waitUntil(() => ['x', 'y', 'z'].every((value) => seen.filter((s) => s === value).length >= 2), {
      description: () => `every message redelivered after the reset, saw ${seen.join(',')}`,
    });
    gate.open();
    await waitUntil(async () => (await groupOf(t, topic, group))?.lag === 0, {
      description: 'lag 0 once the member settled everything',
    });
  });

  it('rejects retention limits in createTopic and a reset to an offset that is not one', async () => {
    const t = await transport();
    const topic = randomName('limits');
    await expect(t.admin.createTopic(topic, { retentionBytes: 1024 })).rejects.toMatchObject({
      code: 'EDDY_NOT_SUPPORTED',
    });
    await t.admin.createTopic(topic, { partitions: 2 });
    await expect(
      t.admin.resetGroup(topic, randomName('g'), { positions: [{ partition: 0, offset: 'abc' }] }),
    ).rejects.toMatchObject({ code: 'EDDY_INVALID_OPTION' });
    await expect(t.admin.readMessages(topic, { partition: 0, fromOffset: '-1' })).rejects.toMatchObject({
      code: 'EDDY_INVALID_OPTION',
    });
  });
});
