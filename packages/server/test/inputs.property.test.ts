// Property-based tests of every decoder and route input: whatever a client sends, the gateway
// answers below 500, stores only valid CloudEvents, and keeps its answer small and prompt.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { adminOf } from '@eddy/core';
import { cloudEventFromJson, decodeCloudEvent } from '@eddy/core/cloudevents';
import { createServer, type EddyServer } from '@eddy/server';
import { unique } from './helpers.js';

/** Runs per property: a few seconds each on CI; set EDDY_FUZZ_RUNS for a longer hunt. */
const RUNS = Number(process.env['EDDY_FUZZ_RUNS'] ?? 150);
/** Largest error body: 20 problems of at most 300 characters, and the envelope. */
const MAX_ERROR_BODY = 8_000;
/** A hang detector, not a performance figure: the slowest answer a bounded input may take. */
const MAX_ANSWER_MS = 3_000;

const fuzzTopic = unique('fuzz');
let dir: string;
let server: EddyServer;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'eddy-fuzz-'));
  server = await createServer({
    dataDir: dir,
    logLevel: 'silent',
    env: {},
    // Every routed event lands in one topic, so the stored events can be read back and checked.
    routes: [{ type: '*', topic: fuzzTopic }],
    limits: { maxBatchEvents: 20, rateLimitPerSecond: 0 },
  });
});
afterAll(async () => {
  await server.close();
  rmSync(dir, { recursive: true, force: true });
});

interface Answer {
  status: number;
  body: string;
}

async function send(options: {
  method: 'GET' | 'POST';
  url: string;
  headers?: Record<string, string>;
  payload?: string | Buffer;
}): Promise<Answer> {
  const started = Date.now();
  const response = await server.app.inject(options);
  const elapsed = Date.now() - started;
  expect(elapsed).toBeLessThan(MAX_ANSWER_MS);
  expect(response.statusCode).toBeLessThan(500);
  if (response.statusCode >= 400) {
    expect(response.body.length).toBeLessThan(MAX_ERROR_BODY);
    const problem = JSON.parse(response.body) as { error: { code: string; message: string } };
    expect(problem.error.code).toMatch(/^EDDY_[A-Z_]+$/);
  }
  return { status: response.statusCode, body: response.body };
}

/**
 * Reads back, from the log itself, every event a 200 answer says was stored, and checks each one
 * decodes as a valid CloudEvent. Inside the property, so fast-check shrinks to the input that stored it.
 */
async function expectStoredEventsValid(answer: Answer): Promise<number> {
  if (answer.status !== 200) return 0;
  const admin = adminOf(server.transport)!;
  const { positions } = JSON.parse(answer.body) as {
    positions: { topic: string; partition: number; offset: string }[];
  };
  for (const position of positions) {
    const [stored] = await admin.readMessages(position.topic, {
      partition: position.partition,
      fromOffset: position.offset,
      limit: 1,
    });
    expect(stored?.offset).toBe(position.offset);
    expect(() => decodeCloudEvent(stored!)).not.toThrow();
  }
  return positions.length;
}

/**
 * Reads every event stored in `topic` so far through a consumer (a fresh group from earliest) and
 * checks each is delivered as a CloudEvent; `raw` shows the stored headers and payload when not.
 */
async function expectOnlyCloudEventsDelivered(topic: string): Promise<number> {
  const group = unique('check');
  let count = 0;
  for (;;) {
    const response = await server.app.inject({
      url: `/v1/topics/${topic}/groups/${group}/messages?from=earliest&max=1000&wait=0.5`,
    });
    expect(response.statusCode).toBe(200);
    const { messages } = JSON.parse(response.body) as {
      messages: { ackId: string; event: Record<string, unknown> | null; raw?: unknown }[];
    };
    if (messages.length === 0) return count;
    for (const message of messages) {
      expect({ decoded: message.event !== null, raw: message.raw }).toEqual({
        decoded: true,
        raw: undefined,
      });
      expect(() => cloudEventFromJson(message.event)).not.toThrow();
    }
    count += messages.length;
    await server.app.inject({
      method: 'POST',
      url: `/v1/topics/${topic}/groups/${group}/ack`,
      payload: { ackIds: messages.map((m) => m.ackId) },
    });
  }
}

// ---- arbitraries ----

const awkwardString = fc.oneof(
  fc.string(),
  fc.string({ unit: 'binary' }),
  fc.constantFrom('', ' ', '\u0000', 'a\nb', '\ud800', '\ufffe', '%', '%0A', '..', 'x'.repeat(300), '🚀'),
);
const anyJson = fc.oneof(
  awkwardString,
  fc.integer(),
  fc.double(),
  fc.boolean(),
  fc.constant(null),
  fc.jsonValue({ maxDepth: 3 }),
);
const attributeName = fc.oneof(
  fc.constantFrom(
    'specversion',
    'id',
    'source',
    'type',
    'subject',
    'time',
    'datacontenttype',
    'dataschema',
    'data',
    'data_base64',
    'partitionkey',
    'traceparent',
    'schemaversion',
    'region',
  ),
  fc.stringMatching(/^[a-z0-9]{1,20}$/),
  awkwardString,
);
const validTime = fc
  .date({ noInvalidDate: true, min: new Date(0), max: new Date(4e12) })
  .map((d) => d.toISOString());
const time = fc.oneof(validTime, awkwardString);

/** Mostly `plausible`, sometimes `hostile`: each member of an input is wrong on its own now and then. */
function mostly<T>(plausible: fc.Arbitrary<T>, hostile: fc.Arbitrary<unknown>): fc.Arbitrary<unknown> {
  return fc.oneof({ arbitrary: plausible, weight: 12 }, { arbitrary: hostile, weight: 1 });
}

/** Percent-encodes every byte of the UTF-8 form (`encodeURIComponent` throws on lone surrogates). */
function percentEncoded(text: string): string {
  return [...Buffer.from(text, 'utf8')].map((byte) => `%${byte.toString(16).padStart(2, '0')}`).join('');
}

/** A JSON publish envelope: every member optional, each either plausible or hostile. */
const envelope = fc.record(
  {
    type: mostly(fc.stringMatching(/^[a-z.]{1,30}$/), anyJson),
    data: anyJson,
    key: mostly(fc.stringMatching(/^[a-z0-9-]{1,10}$/), anyJson),
    id: mostly(fc.uuid(), anyJson),
    source: mostly(fc.constantFrom('/shop', 'urn:a:b', 'https://x.example/y'), anyJson),
    subject: mostly(fc.stringMatching(/^[a-z0-9/]{1,10}$/), anyJson),
    time: mostly(time, anyJson),
    dataschema: mostly(fc.constant('https://schemas.example/order'), anyJson),
    correlationid: mostly(fc.uuid(), anyJson),
    causationid: mostly(fc.uuid(), anyJson),
    schemaversion: mostly(fc.integer({ min: 1, max: 5 }), fc.oneof(fc.integer({ min: -2, max: 0 }), anyJson)),
    extensions: mostly(
      fc.dictionary(
        fc.stringMatching(/^[a-z0-9]{1,20}$/),
        fc.oneof(fc.string(), fc.integer(), fc.boolean()),
        {
          maxKeys: 3,
        },
      ),
      fc.oneof(fc.dictionary(attributeName, anyJson, { maxKeys: 4 }), anyJson),
    ),
    deliverAt: mostly(
      fc.constant(Date.now() + 1_000),
      fc.oneof(fc.integer({ min: 0, max: 2 ** 52 }), fc.constantFrom(1e300, -1, 1.5), anyJson),
    ),
  },
  { requiredKeys: [] },
);

/**
 * A valid CloudEvent in the JSON format, so that batches reach the success path too. Every member
 * valid: a batch is accepted only when all of its events are, and one awkward time in each of a
 * few events made a run of 150 batches without a single acceptance possible.
 */
const plausibleEvent = fc.record(
  {
    specversion: fc.constant('1.0'),
    id: fc.uuid(),
    source: fc.constantFrom('/shop', 'urn:a:b'),
    type: fc.stringMatching(/^[a-z]{1,10}(\.[a-z]{1,10}){0,2}$/),
    time: validTime,
    data: fc.jsonValue({ maxDepth: 2 }),
  },
  { requiredKeys: ['specversion', 'id', 'source', 'type'] },
);

/** A CloudEvent in the JSON format, plausible or hostile member by member, with extra members. */
const structuredEvent = fc
  .tuple(
    fc.record(
      {
        specversion: mostly(fc.constant('1.0'), anyJson),
        id: mostly(fc.uuid(), anyJson),
        source: mostly(fc.constant('/shop'), anyJson),
        type: mostly(fc.stringMatching(/^[a-z.]{1,30}$/), anyJson),
        time: mostly(time, anyJson),
        datacontenttype: mostly(
          fc.constantFrom('application/json', 'text/plain', 'application/octet-stream', 'application/x+json'),
          anyJson,
        ),
        data: anyJson,
        data_base64: mostly(fc.base64String(), anyJson),
      },
      { requiredKeys: ['specversion', 'id', 'source', 'type'] },
    ),
    mostly(
      fc.dictionary(fc.stringMatching(/^[a-z0-9]{1,20}$/), fc.oneof(fc.string(), fc.boolean()), {
        maxKeys: 2,
      }),
      fc.dictionary(attributeName, anyJson, { maxKeys: 3 }),
    ),
  )
  .map(([event, extra]) => ({ ...(extra as object), ...event }));

/** A header value Node's HTTP parser would let through: visible ASCII, spaces and tabs, percent escapes. */
const headerValue = fc.oneof(
  fc.stringMatching(/^[\x20-\x7e]{0,40}$/),
  fc.constantFrom('1.0', '%00', '%0A', '%FF%FE', '%ZZ', 'a%20b', '%F0%9F%9A%80', '0', '-1', 'true'),
);

const body = fc.oneof(
  fc.jsonValue({ maxDepth: 4 }).map((v) => JSON.stringify(v)),
  fc.string(),
  fc.uint8Array({ maxLength: 200 }).map((bytes) => Buffer.from(bytes)),
  fc.constantFrom('', '{', '[', 'null', '[]', '{}', '[{}]', '"x"', '1e400'),
);

// ---- properties ----

describe('publish inputs never make the gateway fail', () => {
  it('JSON envelopes and batches of them: below 500, and only valid events stored', async () => {
    const topic = unique('envelopes');
    let accepted = 0;
    await fc.assert(
      fc.asyncProperty(fc.oneof(envelope, fc.array(envelope, { maxLength: 25 })), async (input) => {
        const answer = await send({
          method: 'POST',
          url: `/v1/topics/${topic}/events`,
          headers: { 'content-type': 'application/json' },
          payload: JSON.stringify(input),
        });
        accepted += await expectStoredEventsValid(answer);
      }),
      { numRuns: RUNS },
    );
    // The generators must reach the success path too, or the property checks only refusals.
    expect(accepted).toBeGreaterThan(0);
    // Events with a deliverAt are not due yet; all others come back through a consumer.
    expect(await expectOnlyCloudEventsDelivered(topic)).toBeGreaterThan(0);
  });

  it('structured mode (application/cloudevents+json): below 500, and only valid events stored', async () => {
    let accepted = 0;
    await fc.assert(
      fc.asyncProperty(
        fc.oneof(
          structuredEvent.map((e) => JSON.stringify(e)),
          body,
        ),
        async (payload) => {
          const answer = await send({
            method: 'POST',
            url: '/v1/events',
            headers: { 'content-type': 'application/cloudevents+json' },
            payload,
          });
          accepted += await expectStoredEventsValid(answer);
        },
      ),
      { numRuns: RUNS },
    );
    expect(accepted).toBeGreaterThan(0);
  });

  it('batched mode (application/cloudevents-batch+json): below 500, bounded answer, only valid events stored', async () => {
    let accepted = 0;
    await fc.assert(
      fc.asyncProperty(
        fc.oneof(
          fc.array(plausibleEvent, { minLength: 1, maxLength: 25 }).map((events) => JSON.stringify(events)),
          fc.array(structuredEvent, { maxLength: 30 }).map((events) => JSON.stringify(events)),
          body,
        ),
        async (payload) => {
          const answer = await send({
            method: 'POST',
            url: '/v1/events',
            headers: { 'content-type': 'application/cloudevents-batch+json' },
            payload,
          });
          accepted += await expectStoredEventsValid(answer);
        },
      ),
      { numRuns: RUNS },
    );
    expect(accepted).toBeGreaterThan(0);
  });

  it('binary mode (ce-* headers, any content type and body): below 500, and only valid events stored', async () => {
    let accepted = 0;
    const headerName = fc.oneof(
      fc.constantFrom(
        'ce-specversion',
        'ce-id',
        'ce-source',
        'ce-type',
        'ce-subject',
        'ce-time',
        'ce-traceparent',
      ),
      fc.stringMatching(/^ce-[a-z0-9]{1,22}$/),
    );
    const headers = fc
      .tuple(
        fc.record(
          {
            'ce-specversion': mostly(fc.constant('1.0'), headerValue),
            'ce-id': mostly(fc.constant('1'), headerValue),
            'ce-source': mostly(fc.constant('/s'), headerValue),
            'ce-type': mostly(fc.constant('t.x'), headerValue),
            'content-type': mostly(
              fc.constantFrom('text/plain; charset=utf-8', 'application/octet-stream'),
              fc.oneof(fc.constant('application/json'), headerValue),
            ),
          },
          { requiredKeys: ['ce-specversion'] },
        ),
        fc.dictionary(headerName, headerValue, { maxKeys: 3 }),
      )
      .map(([known, extra]) => ({ ...extra, ...known }));
    await fc.assert(
      fc.asyncProperty(headers as fc.Arbitrary<Record<string, string>>, body, async (sent, payload) => {
        const answer = await send({ method: 'POST', url: '/v1/events', headers: sent, payload });
        accepted += await expectStoredEventsValid(answer);
      }),
      { numRuns: RUNS },
    );
    expect(accepted).toBeGreaterThan(0);
  });

  it('any content type and body on the topic route: below 500', async () => {
    await fc.assert(
      fc.asyncProperty(headerValue, body, async (contentType, payload) => {
        const answer = await send({
          method: 'POST',
          url: `/v1/topics/${fuzzTopic}/events`,
          headers: { 'content-type': contentType },
          payload,
        });
        await expectStoredEventsValid(answer);
      }),
      { numRuns: RUNS },
    );
  });
});

describe('consume inputs never make the gateway fail', () => {
  const pathSegment = fc.oneof(
    fc.stringMatching(/^[A-Za-z0-9_][A-Za-z0-9._-]{0,30}$/),
    awkwardString.map(percentEncoded),
    fc.constantFrom('..', '.', 'a..b', 'a.', '%ZZ', '%2F', 'x'.repeat(201), 'x'.repeat(5_000)),
  );
  const queryValue = fc.oneof(
    fc.constantFrom(
      '0',
      '1',
      '10',
      '-1',
      '1.5',
      'Infinity',
      '-Infinity',
      'NaN',
      '1e400',
      '31',
      'earliest',
      'latest',
    ),
    fc.constantFrom('2024-05-01T00:00:00Z', '99999999999999999999', '1700000000000', '[]', '{}'),
    awkwardString.map(percentEncoded),
  );

  it('pull: any topic, group, max, wait and from: below 500', async () => {
    await fc.assert(
      fc.asyncProperty(
        pathSegment,
        pathSegment,
        queryValue,
        queryValue,
        queryValue,
        async (topic, group, max, wait, from) => {
          // A wait that passed validation is at most limits.maxWaitSeconds: keep the run short.
          const shortWait = /^\d+(\.\d+)?$/.test(wait) && Number(wait) > 0 ? '0.01' : wait;
          await send({
            method: 'GET',
            url: `/v1/topics/${topic}/groups/${group}/messages?max=${max}&wait=${shortWait}&from=${from}`,
          });
        },
      ),
      { numRuns: RUNS },
    );
  });

  it('ack and nack: any body and content type: below 500', async () => {
    const ackBody = fc.oneof(
      fc
        .record(
          {
            ackIds: fc.oneof(fc.array(awkwardString, { maxLength: 5 }), anyJson),
            delayMs: fc.oneof(fc.integer(), fc.constantFrom(1e300, -1, 1.5, 86_400_001), anyJson),
          },
          { requiredKeys: [] },
        )
        .map((value) => JSON.stringify(value)),
      body,
    );
    await fc.assert(
      fc.asyncProperty(
        fc.constantFrom('ack', 'nack'),
        ackBody,
        fc.oneof(fc.constant('application/json'), headerValue),
        async (action, payload, contentType) => {
          await send({
            method: 'POST',
            url: `/v1/topics/${fuzzTopic}/groups/g/${action}`,
            headers: { 'content-type': contentType },
            payload,
          });
        },
      ),
      { numRuns: RUNS },
    );
  });
});
