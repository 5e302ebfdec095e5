import { isEddyError, Nack, type ReceivedMessage } from '@eddy/core';
import { PositionLostError } from '@eddy/core/internal';
import {
  createPostgresTransport,
  type PostgresTransport,
  type PostgresTransportOptions,
} from '@eddy/postgres';
import pg from 'pg';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { bytes, dropSchema, randomName, TEST_URL, testSchema, text, waitFor } from './helpers.js';

const schemas: string[] = [];
const transports: PostgresTransport[] = [];
let sql: pg.Pool;

beforeAll(() => {
  sql = new pg.Pool({ connectionString: TEST_URL, max: 2 });
});

afterEach(async () => {
  await Promise.all(transports.splice(0).map((t) => t.close()));
});

afterAll(async () => {
  await sql.end();
  await Promise.all(schemas.map((schema) => dropSchema(schema)));
});

interface Opened {
  readonly transport: PostgresTransport;
  readonly errors: Error[];
}

async function open(options: Partial<PostgresTransportOptions> & { schema: string }): Promise<Opened> {
  const errors: Error[] = [];
  const transport = await createPostgresTransport({
    connectionString: TEST_URL,
    partitions: 1,
    pollIntervalMs: 100,
    retentionIntervalMs: 0,
    onError: (error) => errors.push(error),
    ...options,
  });
  transports.push(transport);
  return { transport, errors };
}

function newSchema(): string {
  const schema = testSchema();
  schemas.push(schema);
  return schema;
}

async function publishN(
  transport: PostgresTransport,
  topic: string,
  count: number,
  first = 0,
): Promise<void> {
  await transport.publish(
    topic,
    Array.from({ length: count }, (_, i) => ({ payload: bytes(`m${first + i}`) })),
  );
}

async function offsets(schema: string, topic: string, partition = 0): Promise<number[]> {
  const result = await sql.query<{ log_offset: string }>(
    `SELECT log_offset FROM "${schema}".messages WHERE topic = $1 AND partition = $2 ORDER BY log_offset`,
    [topic, partition],
  );
  return result.rows.map((row) => Number(row.log_offset));
}

async function claimCount(schema: string, topic: string): Promise<number> {
  const result = await sql.query<{ n: string }>(
    `SELECT count(*) AS n FROM "${schema}".claims WHERE topic = $1`,
    [topic],
  );
  return Number(result.rows[0]?.n ?? -1);
}

function positionLost(errors: readonly Error[]): PositionLostError[] {
  return errors.filter((error): error is PositionLostError => error instanceof PositionLostError);
}

describe('PostgreSQL retention', () => {
  it('rejects invalid retention options with EDDY_INVALID_OPTION', async () => {
    const base = { connectionString: TEST_URL, schema: 'eddy_never_created' };
    const bad: Partial<PostgresTransportOptions>[] = [
      { retention: { retentionMs: -1 } },
      { retention: { retentionMessages: 1.5 } },
      { retention: 86_400_000 as unknown as object },
      { topics: { orders: { retentionMessages: Number.NaN } } },
      { topics: { orders: { retentionMs: '10' as unknown as number } } },
      { retentionIntervalMs: -5 },
      { retentionIntervalMs: 2 ** 31 },
    ];
    for (const options of bad) {
      const error = await createPostgresTransport({ ...base, ...options }).then(
        () => undefined,
        (caught: unknown) => caught,
      );
      expect(isEddyError(error, 'EDDY_INVALID_OPTION'), JSON.stringify(options)).toBe(true);
    }
  });

  it('trims by count per partition, keeps the newest, and lets a topic override the limit', async () => {
    const schema = newSchema();
    const { transport, errors } = await open({
      schema,
      partitions: 2,
      retention: { retentionMessages: 3 },
      topics: { keepall: { retentionMessages: 0 } },
    });
    const topic = randomName('t');
    // Keyless messages of one call share a partition, and consecutive calls rotate partitions.
    const [first] = await transport.publish(
      topic,
      Array.from({ length: 10 }, () => ({ payload: bytes('a') })),
    );
    const [second] = await transport.publish(
      topic,
      Array.from({ length: 6 }, () => ({ payload: bytes('b') })),
    );
    expect(first?.partition).not.toBe(second?.partition);
    await publishN(transport, 'keepall', 8);

    expect(await transport.applyRetention()).toBe(7 + 3);
    expect(await offsets(schema, topic, first!.partition)).toEqual([7, 8, 9]);
    expect(await offsets(schema, topic, second!.partition)).toEqual([3, 4, 5]);
    const keepall = [...(await offsets(schema, 'keepall', 0)), ...(await offsets(schema, 'keepall', 1))];
    expect(keepall).toHaveLength(8);
    expect(await transport.applyRetention()).toBe(0);
    expect(errors).toEqual([]);
  });

  it('trims by age using published_at and keeps younger messages', async () => {
    const schema = newSchema();
    const { transport } = await open({ schema, retention: { retentionMs: 60_000 } });
    const topic = randomName('t');
    await publishN(transport, topic, 10);
    // Age the first six by an hour; published_at stays non-decreasing along the partition.
    await sql.query(
      `UPDATE "${schema}".messages SET published_at = published_at - 3600000 WHERE topic = $1 AND log_offset < 6`,
      [topic],
    );
    expect(await transport.applyRetention()).toBe(6);
    expect(await offsets(schema, topic)).toEqual([6, 7, 8, 9]);
  });

  it('trims in bounded steps and two transports on one schema do not conflict', async () => {
    const schema = newSchema();
    const a = await open({ schema, retention: { retentionMessages: 5 } });
    const b = await open({ schema, retention: { retentionMessages: 5 } });
    const topic = randomName('t');
    for (let i = 0; i < 12; i++) await publishN(a.transport, topic, 1_000, i * 1_000);
    const removed = await Promise.all([a.transport.applyRetention(), b.transport.applyRetention()]);
    // One pass ran three steps (5 000 + 5 000 + 1 995); the other waited for the lock and found nothing.
    expect([...removed].sort((x, y) => x - y)).toEqual([0, 11_995]);
    expect(await offsets(schema, topic)).toEqual([11_995, 11_996, 11_997, 11_998, 11_999]);
    expect([...a.errors, ...b.errors]).toEqual([]);
  });

  it('trims on its own every retentionIntervalMs, two transports taking turns', async () => {
    const schema = newSchema();
    const topic = randomName('t');
    const a = await open({ schema, retention: { retentionMessages: 2 }, retentionIntervalMs: 50 });
    const b = await open({ schema, retention: { retentionMessages: 2 }, retentionIntervalMs: 50 });
    await publishN(a.transport, topic, 20);
    await waitFor('the timer to trim to 2 messages', async () => (await offsets(schema, topic)).length === 2);
    expect(await offsets(schema, topic)).toEqual([18, 19]);
    await publishN(b.transport, topic, 3, 20);
    await waitFor('the next trim', async () => (await offsets(schema, topic))[0] === 21);
    expect([...a.errors, ...b.errors]).toEqual([]);
  });

  it('a group that read everything loses nothing and gets no error', async () => {
    const schema = newSchema();
    const { transport, errors } = await open({ schema, retention: { retentionMessages: 3 } });
    const topic = randomName('t');
    const received: string[] = [];
    const sub = await transport.subscribe(topic, { group: 'g', from: 'earliest' }, (m) => {
      received.push(text(m.payload));
    });
    await publishN(transport, topic, 10);
    await waitFor('10 messages', () => received.length === 10);
    await waitFor('acks written', async () => (await claimCount(schema, topic)) === 0);
    expect(await transport.applyRetention()).toBe(7);
    await publishN(transport, topic, 2, 10);
    await waitFor('2 more messages', () => received.length === 12);
    expect(received.slice(10)).toEqual(['m10', 'm11']);
    expect(errors).toEqual([]);
    await sub.close();
  });

  it('a group behind the cut gets one PositionLostError and continues in order from the first retained message', async () => {
    const schema = newSchema();
    const { transport, errors } = await open({ schema, retention: { retentionMessages: 3 } });
    const topic = randomName('t');
    const received: string[] = [];
    const handler = (m: ReceivedMessage): void => {
      received.push(text(m.payload));
    };
    const first = await transport.subscribe(topic, { group: 'slow', from: 'earliest' }, handler);
    await publishN(transport, topic, 3);
    await waitFor('3 messages', () => received.length === 3);
    await waitFor('acks written', async () => (await claimCount(schema, topic)) === 0);
    await first.close();

    await publishN(transport, topic, 7, 3);
    expect(await transport.applyRetention()).toBe(7);
    // A group created now starts at the oldest retained message: it has lost nothing.
    const fresh: string[] = [];
    const late = await transport.subscribe(topic, { group: 'late', from: 'earliest' }, (m) => {
      fresh.push(text(m.payload));
    });
    const second = await transport.subscribe(topic, { group: 'slow', from: 'earliest' }, handler);
    await waitFor('the retained messages', () => received.length === 6 && fresh.length === 3);
    expect(received).toEqual(['m0', 'm1', 'm2', 'm7', 'm8', 'm9']);
    expect(fresh).toEqual(['m7', 'm8', 'm9']);

    await publishN(transport, topic, 1, 10);
    await waitFor('one more', () => received.length === 7 && fresh.length === 4);
    const lost = positionLost(errors);
    expect(lost).toHaveLength(1);
    expect(errors).toHaveLength(1);
    const error = lost[0] as PositionLostError;
    expect(error).toBeInstanceOf(PositionLostError);
    expect(error).toMatchObject({ code: 'EDDY_POSITION_LOST' });
    expect(error.topic).toBe(topic);
    expect(error.group).toBe('slow');
    expect(error.partition).toBe(0);
    expect([error.from, error.to]).toEqual(['3', '6']);
    expect(error.message).toContain('offsets 3..6');
    await Promise.all([late.close(), second.close()]);
  });

  it('reports a loss when retention emptied the partition, before any new message', async () => {
    const schema = newSchema();
    const { transport, errors } = await open({ schema, retention: { retentionMs: 60_000 } });
    const topic = randomName('t');
    await publishN(transport, topic, 4);
    const received: string[] = [];
    await sql.query(
      `UPDATE "${schema}".messages SET published_at = published_at - 3600000 WHERE topic = $1`,
      [topic],
    );
    expect(await transport.applyRetention()).toBe(4);
    // A group asking for offset 1 of a partition retention has emptied.
    const positions = [{ partition: 0, offset: '1' }];
    const sub = await transport.subscribe(topic, { group: 'g', from: { positions } }, (m) => {
      received.push(text(m.payload));
    });
    await waitFor('the position-lost report', () => positionLost(errors).length === 1);
    expect(positionLost(errors)[0]?.message).toContain('offsets 1..3');
    await publishN(transport, topic, 1, 4);
    await waitFor('the new message', () => received.length === 1);
    expect(received).toEqual(['m4']);
    expect(errors).toHaveLength(1);
    await sub.close();
  });

  it('removes claims of trimmed in-flight messages without hanging the subscriber', async () => {
    const schema = newSchema();
    const { transport, errors } = await open({ schema, retention: { retentionMessages: 2 } });
    const topic = randomName('t');
    let open_ = false;
    let release: () => void = () => undefined;
    const gate = new Promise<void>((resolve) => (release = resolve));
    const started: string[] = [];
    const done: string[] = [];
    const sub = await transport.subscribe(
      topic,
      { group: 'g', from: 'earliest', maxInFlight: 10 },
      async (m) => {
        started.push(text(m.payload));
        if (!open_) await gate;
        done.push(text(m.payload));
      },
    );
    await publishN(transport, topic, 5);
    await waitFor('5 messages in flight', () => started.length === 5);
    expect(await claimCount(schema, topic)).toBe(5);

    expect(await transport.applyRetention()).toBe(3);
    const claims = await sql.query<{ log_offset: string }>(
      `SELECT log_offset FROM "${schema}".claims WHERE topic = $1 ORDER BY log_offset`,
      [topic],
    );
    expect(claims.rows.map((row) => Number(row.log_offset))).toEqual([3, 4]);

    open_ = true;
    release();
    await waitFor('handlers done', () => done.length === 5);
    await waitFor('acks written', async () => (await claimCount(schema, topic)) === 0);
    await publishN(transport, topic, 1, 5);
    await waitFor('a later message', () => done.includes('m5'));
    expect(started.filter((m) => m === 'm0')).toHaveLength(1);
    await sub.close();
    expect(errors).toEqual([]);
  });

  it('reports claimed messages that were waiting for redelivery when retention removes them', async () => {
    const schema = newSchema();
    const { transport, errors } = await open({ schema, retention: { retentionMessages: 2 } });
    const topic = randomName('t');
    const handled: string[] = [];
    const sub = await transport.subscribe(topic, { group: 'g', from: 'earliest' }, (m) => {
      handled.push(text(m.payload));
      if (m.offset === '0') throw new Nack(600_000);
    });
    await publishN(transport, topic, 5);
    await waitFor('4 acks and one nack written', async () => {
      const result = await sql.query<{ log_offset: string; owner: string | null }>(
        `SELECT log_offset, owner FROM "${schema}".claims WHERE topic = $1`,
        [topic],
      );
      return handled.length === 5 && result.rows.length === 1 && result.rows[0]?.owner === null;
    });
    expect(await transport.applyRetention()).toBe(3);
    const lost = positionLost(errors);
    expect(lost).toHaveLength(1);
    expect((lost[0] as PositionLostError).group).toBe('g');
    expect(lost[0]?.message).toContain('offsets 0..0');
    expect(await claimCount(schema, topic)).toBe(0);
    await sub.close();
  });

  it('never loses a message silently while trimming runs under a live consumer', async () => {
    const schema = newSchema();
    const { transport, errors } = await open({
      schema,
      partitions: 2,
      retention: { retentionMessages: 50 },
      retentionIntervalMs: 10,
    });
    const topic = randomName('t');
    const seen = new Set<string>();
    const sub = await transport.subscribe(
      topic,
      { group: 'g', from: 'earliest', maxInFlight: 8 },
      async (m) => {
        seen.add(`${m.partition}:${m.offset}`);
        // Slower than the publisher, so the cursor falls behind the cut now and then.
        await new Promise<void>((resolve) => setImmediate(resolve));
      },
    );
    const published: string[] = [];
    for (let i = 0; i < 40; i++) {
      const positions = await transport.publish(
        topic,
        Array.from({ length: 25 }, () => ({ payload: bytes('x') })),
      );
      published.push(...positions.map((position) => `${position.partition}:${position.offset}`));
    }
    const lost = new Set<string>();
    const accounted = (): boolean => {
      lost.clear();
      for (const error of positionLost(errors)) {
        for (let offset = Number(error.from); offset <= Number(error.to); offset++)
          lost.add(`${error.partition}:${offset}`);
      }
      return published.every((position) => seen.has(position) || lost.has(position));
    };
    await waitFor('every message delivered or reported lost', accounted);
    expect([...seen].filter((position) => lost.has(position))).toEqual([]);
    expect(errors.filter((error) => !isEddyError(error, 'EDDY_POSITION_LOST'))).toEqual([]);
    await sub.close();
    await waitFor('no claim left behind', async () => (await claimCount(schema, topic)) === 0);
  });
});
