import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestServer, unique, type TestServer } from './helpers.js';

// The compatibility endpoint's edge cases as Confluent Schema Registry answers them (its RestApiTest
// and CompatibilityResource): a missing subject is compatible with anything at "latest" and with
// no version named; a version that does not exist is 40402; a version that is not one is 42202.
let server: TestServer;
beforeAll(async () => {
  server = await startTestServer();
});
afterAll(async () => {
  await server.close();
});

const record = (field: string) =>
  JSON.stringify({ type: 'record', name: 'Edge', fields: [{ name: field, type: 'string' }] });

async function call(
  method: string,
  path: string,
  body?: unknown,
): Promise<{ status: number; body: unknown }> {
  const response = await fetch(`${server.url}/registry${path}`, {
    method,
    headers: { 'content-type': 'application/vnd.schemaregistry.v1+json' },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  return { status: response.status, body: (await response.json()) as unknown };
}

const code = (answer: { status: number; body: unknown }) => [
  answer.status,
  (answer.body as { error_code?: number }).error_code,
];

describe('POST /registry/compatibility edge cases, as Confluent', () => {
  it('answers for missing subjects, missing and invalid versions, soft-deleted versions and unparsable schemas', async () => {
    const missing = unique('missing');
    const subject = unique('edges');
    const schema = { schema: record('a') };
    expect(await call('POST', `/compatibility/subjects/${missing}/versions/latest`, schema)).toEqual({
      status: 200,
      body: { is_compatible: true },
    });
    expect(await call('POST', `/compatibility/subjects/${missing}/versions`, schema)).toEqual({
      status: 200,
      body: { is_compatible: true },
    });
    expect(code(await call('POST', `/compatibility/subjects/${missing}/versions/1`, schema))).toEqual([
      404, 40402,
    ]);

    expect((await call('POST', `/subjects/${subject}/versions`, schema)).status).toBe(200);
    expect(code(await call('POST', `/compatibility/subjects/${subject}/versions/100`, schema))).toEqual([
      404, 40402,
    ]);
    for (const version of ['earliest', '0']) {
      expect(
        code(await call('POST', `/compatibility/subjects/${subject}/versions/${version}`, schema)),
      ).toEqual([422, 42202]);
    }
    // -1 is latest: a renamed field without a default breaks BACKWARD.
    expect(
      await call('POST', `/compatibility/subjects/${subject}/versions/-1`, { schema: record('b') }),
    ).toEqual({ status: 200, body: { is_compatible: false } });

    // An unparsable schema: 422 42201, or with verbose an incompatible answer carrying the reason.
    const broken = { schema: '{"type": "record"' };
    expect(code(await call('POST', `/compatibility/subjects/${subject}/versions/latest`, broken))).toEqual([
      422, 42201,
    ]);
    const verbose = await call(
      'POST',
      `/compatibility/subjects/${subject}/versions/latest?verbose=true`,
      broken,
    );
    expect(verbose.status).toBe(200);
    expect(verbose.body).toMatchObject({ is_compatible: false, messages: [expect.stringContaining('Avro')] });

    // A soft-deleted version is not checked against: gone by number, and latest falls back to nothing.
    expect(await call('DELETE', `/subjects/${subject}/versions/1`)).toEqual({ status: 200, body: 1 });
    expect(code(await call('POST', `/compatibility/subjects/${subject}/versions/1`, schema))).toEqual([
      404, 40402,
    ]);
    expect(
      await call('POST', `/compatibility/subjects/${subject}/versions/latest`, { schema: record('b') }),
    ).toEqual({ status: 200, body: { is_compatible: true } });
  });
});
