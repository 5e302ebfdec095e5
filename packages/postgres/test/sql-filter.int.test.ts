import type { Headers, OutgoingMessage, ReceivedMessage, SubscriptionFilter } from '@eddy/core';
import { compileSubscriptionFilter, encodeHeaderValue, headerConditionOf } from '@eddy/core/internal';
import { createPostgresTransport, type PostgresTransport } from '@eddy/postgres';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bytes, dropSchema, randomName, TEST_URL, testSchema, text, waitFor } from './helpers.js';

// The subscription filter inside claim(): rows it surely rejects are skipped by the database.
const schema = testSchema();
let transport: PostgresTransport;

beforeAll(async () => {
  transport = await createPostgresTransport({ connectionString: TEST_URL, schema, pollIntervalMs: 200 });
});

afterAll(async () => {
  await transport.close();
  await dropSchema(schema);
});

function event(
  id: string,
  type: string,
  attributes: Record<string, string> = {},
  key?: string,
): OutgoingMessage {
  const headers: Record<string, string> = {
    'ce-specversion': '1.0',
    'ce-id': id,
    'ce-source': '/t',
    'ce-type': type,
  };
  for (const [name, value] of Object.entries(attributes)) headers[`ce-${name}`] = encodeHeaderValue(value);
  return { headers, payload: bytes(id), ...(key === undefined ? {} : { key }) };
}

/** filter_match as claim() runs it, on one row's headers. */
async function sqlKeeps(filter: SubscriptionFilter, headers: Headers): Promise<boolean> {
  const condition = headerConditionOf(filter);
  const result = await transport.pool.query<{ keeps: boolean }>(
    `SELECT "${schema}".filter_match($1::jsonb, $2::jsonb) AS keeps`,
    [JSON.stringify(headers), condition === true ? null : JSON.stringify(condition)],
  );
  return result.rows[0]?.keeps === true;
}

// Strings a hand-built LIKE or quoted literal would get wrong.
const HOSTILE = ["o'k", "'; DROP TABLE x; --", '100%', '%', '_', 'a_c', 'a\\b', '\\', '\\%', '"q"', 'x%_\\y'];

describe('PostgreSQL filter in claim()', () => {
  it('compares hostile strings in exact, prefix and suffix as plain text, like the filter does', async () => {
    const checked: string[] = [];
    for (const value of HOSTILE) {
      for (const stored of [value, `${value}tail`, `head${value}`, 'abc', 'a\\\\b']) {
        for (const raw of [true, false]) {
          // Eddy stores values percent-encoded; another producer may store them raw.
          const headers: Headers = {
            'ce-specversion': '1.0',
            'ce-type': 't',
            'ce-subject': raw ? stored : encodeHeaderValue(stored),
          };
          for (const op of ['exact', 'prefix', 'suffix'] as const) {
            for (const negate of [false, true]) {
              const leaf = { [op]: { subject: value } } as SubscriptionFilter['attributes'] & object;
              const filter: SubscriptionFilter = { attributes: negate ? { not: leaf } : leaf };
              const exact = compileSubscriptionFilter(filter)(headers);
              const sql = await sqlKeeps(filter, headers);
              // A superset always; exact wherever the stored value holds no '%'.
              if (exact && !sql) checked.push(`dropped ${JSON.stringify({ filter, headers })}`);
              if (!headers['ce-subject']!.includes('%') && exact !== sql)
                checked.push(`differs ${JSON.stringify({ filter, headers })}`);
            }
          }
        }
      }
    }
    expect(checked).toEqual([]);
  });

  it('keeps what is not a binary-mode CloudEvent, and everything without a filter', async () => {
    expect(await sqlKeeps({ type: 'a' }, { 'ce-type': 'b' })).toBe(true);
    expect(await sqlKeeps({ type: 'a' }, { 'ce-type': 'b', 'ce-specversion': '1.0' })).toBe(false);
    expect(await sqlKeeps({}, { 'ce-type': 'b', 'ce-specversion': '1.0' })).toBe(true);
  });

  it('skips rejected rows in the database: never claimed, counted by type, never redelivered, key order kept', async () => {
    const topic = randomName('filters_sql');
    const group = randomName('g');
    // 3 000 rows of which 1% match, so one claim passes over many reads' worth of rejected rows.
    const messages: OutgoingMessage[] = [];
    for (let i = 0; i < 3_000; i++) {
      const kept = i % 100 === 7;
      messages.push(
        event(
          `m-${i}`,
          kept ? 'order.placed' : i % 2 === 0 ? 'order.paid' : 'user.created',
          {
            subject: kept ? "eu/o'k_%" : 'eu/other',
          },
          `k-${i % 3}`,
        ),
      );
    }
    await transport.publish(topic, messages);
    const received: ReceivedMessage[] = [];
    const filtered = new Map<string, number>();
    const filteredHeaders: Headers[] = [];
    const subscription = await transport.subscribe(
      topic,
      {
        group,
        from: 'earliest',
        maxInFlight: 8,
        filter: { type: 'order.*', attributes: { prefix: { subject: "eu/o'k_%" } } },
        onFiltered: (headers) => {
          const type = headers['ce-type'] ?? '?';
          filtered.set(type, (filtered.get(type) ?? 0) + 1);
          filteredHeaders.push(headers);
        },
      },
      (message) => {
        received.push(message);
      },
    );
    await waitFor(
      'every row settled',
      () => received.length + [...filtered.values()].reduce((a, b) => a + b, 0) >= 3_000,
    );
    await subscription.close();
    // Every kept row, each key's in publish order.
    const byKey = (keys: (string | undefined)[], ids: string[]): Record<string, string[]> => {
      const out: Record<string, string[]> = {};
      ids.forEach((id, i) => (out[keys[i] ?? ''] ??= []).push(id));
      return out;
    };
    const expected = messages.filter((_, i) => i % 100 === 7);
    expect(
      byKey(
        received.map((message) => message.key),
        received.map((message) => text(message.payload)),
      ),
    ).toEqual(
      byKey(
        expected.map((message) => message.key),
        expected.map((message) => text(message.payload)),
      ),
    );
    expect(Object.fromEntries(filtered)).toEqual({ 'order.paid': 1_500, 'user.created': 1_470 });
    // Reported from the database's counts (type only), so they were never handed to this process.
    expect(filteredHeaders.every((headers) => Object.keys(headers).length === 1)).toBe(true);
    const claims = await transport.pool.query<{ n: number }>(
      `SELECT count(*)::int AS n FROM "${schema}".claims WHERE group_name = $1 AND topic = $2`,
      [group, topic],
    );
    expect(claims.rows[0]?.n).toBe(0);
    // The group's cursor is past every row: a member without the filter gets nothing old.
    const later: string[] = [];
    const second = await transport.subscribe(topic, { group, from: 'earliest' }, (message) => {
      later.push(text(message.payload));
    });
    await transport.publish(topic, [event('sentinel', 'order.placed')]);
    await waitFor('the sentinel', () => later.includes('sentinel'));
    await second.close();
    expect(later).toEqual(['sentinel']);
  });

  it('hands over what the database cannot decide (a percent in the stored value), and the exact filter decides', async () => {
    const topic = randomName('filters_sql');
    const received: string[] = [];
    let filtered = 0;
    const subscription = await transport.subscribe(
      topic,
      {
        group: randomName('g'),
        from: 'earliest',
        filter: { attributes: { exact: { subject: 'café 100%' } } },
        onFiltered: () => {
          filtered += 1;
        },
      },
      (message) => {
        received.push(text(message.payload));
      },
    );
    await transport.publish(topic, [
      event('encoded-match', 't', { subject: 'café 100%' }),
      event('encoded-other', 't', { subject: 'café 200%' }),
      event('plain-other', 't', { subject: 'tea' }),
      event('raw-match', 't'),
    ]);
    // A producer that does not percent-encode: the stored value is the attribute itself.
    await transport.publish(topic, [
      {
        headers: { 'ce-specversion': '1.0', 'ce-type': 't', 'ce-subject': 'café 100%' },
        payload: bytes('raw'),
      },
    ]);
    await waitFor('5 settled', () => received.length + filtered === 5);
    await subscription.close();
    expect(received.sort()).toEqual(['encoded-match', 'raw']);
    expect(filtered).toBe(3);
  });
});
