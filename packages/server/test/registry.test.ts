import { randomBytes } from 'node:crypto';
import { SchemaRegistry, SchemaType } from '@kafkajs/confluent-schema-registry';
import { createPostgresTransport } from '@eddy/postgres';
import { generateApiKey, hashApiKey } from '@eddy/server';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { json, startTestServer, unique, type TestServer } from './helpers.js';

const POSTGRES_URL = process.env['EDDY_POSTGRES_URL'] ?? 'postgres://postgres@127.0.0.1:5432/test';
const MEDIA_TYPE = 'application/vnd.schemaregistry.v1+json';
const adminKey = generateApiKey();
const readerKey = generateApiKey();
let server: TestServer;

const basic = (user: string, key: string) => ({
  authorization: `Basic ${Buffer.from(`${user}:${key}`).toString('base64')}`,
});

/** A request to the registry with Confluent's media type, as the admin. */
function call(method: string, path: string, body?: unknown, key = adminKey): Promise<Response> {
  return fetch(`${server.url}/registry${path}`, {
    method,
    headers: { 'content-type': MEDIA_TYPE, accept: MEDIA_TYPE, ...basic('ops', key) },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
}

async function answer(response: Response): Promise<{ status: number; body: Record<string, unknown> }> {
  return { status: response.status, body: await json(response) };
}

const order = (fields: object[]) =>
  JSON.stringify({ type: 'record', name: 'Order', namespace: 'com.acme', fields });

beforeAll(async () => {
  server = await startTestServer({
    apiKeys: [
      { id: 'ops', keyHash: hashApiKey(adminKey), scopes: ['admin'] },
      { id: 'reader', keyHash: hashApiKey(readerKey), scopes: ['consume:*'] },
    ],
  });
});
afterAll(async () => {
  await server.close();
});

describe('the registry under /registry with the Confluent client', () => {
  const client = () =>
    new SchemaRegistry({
      host: `${server.url}/registry`,
      auth: { username: 'ops', password: adminKey },
      retry: { retries: 0 },
    });

  it('registers idempotently, answers getLatestSchemaId, round-trips encode/decode and refuses an incompatible change with 409', async () => {
    const registry = client();
    const subject = unique('orders-value');
    const v1 = order([
      { name: 'id', type: 'string' },
      { name: 'total', type: 'double' },
    ]);
    const first = await registry.register({ type: SchemaType.AVRO, schema: v1 }, { subject });
    const again = await client().register({ type: SchemaType.AVRO, schema: v1 }, { subject });
    expect(again.id).toBe(first.id);
    expect(await client().getLatestSchemaId(subject)).toBe(first.id);

    const payload = { id: 'o-1', total: 42.5 };
    const encoded = await registry.encode(first.id, payload);
    expect(encoded[0]).toBe(0);
    expect(encoded.readInt32BE(1)).toBe(first.id);
    // A fresh client has no cache: it fetches the writer schema by id from the gateway.
    expect(await client().decode(encoded)).toEqual(payload);

    // A new field without a default cannot read v1 data: BACKWARD refuses it.
    const incompatible = order([
      { name: 'id', type: 'string' },
      { name: 'total', type: 'double' },
      { name: 'currency', type: 'string' },
    ]);
    const refused = await registry
      .register({ type: SchemaType.AVRO, schema: incompatible }, { subject })
      .then(
        () => undefined,
        (error: unknown) => error as { status: number; message: string },
      );
    expect(refused?.status).toBe(409);
    expect(refused?.message).toContain('currency');
    // With a default it can: version 2.
    const v2 = order([
      { name: 'id', type: 'string' },
      { name: 'total', type: 'double' },
      { name: 'currency', type: 'string', default: 'EUR' },
    ]);
    const second = await registry.register({ type: SchemaType.AVRO, schema: v2 }, { subject });
    expect(second.id).not.toBe(first.id);
    expect(await registry.getLatestSchemaId(subject)).toBe(second.id);
    expect(await (await call('GET', `/subjects/${subject}/versions`)).json()).toEqual([1, 2]);
  });

  it('registers and validates JSON Schema through the client', async () => {
    const registry = client();
    const subject = unique('payments-value');
    const schema = JSON.stringify({
      type: 'object',
      properties: { amount: { type: 'number' } },
      required: ['amount'],
    });
    const { id } = await registry.register({ type: SchemaType.JSON, schema }, { subject });
    const encoded = await registry.encode(id, { amount: 3 });
    expect(await client().decode(encoded)).toEqual({ amount: 3 });
    const byId = await answer(await call('GET', `/schemas/ids/${id}`));
    expect(byId).toEqual({ status: 200, body: { schema, schemaType: 'JSON' } });
  });
});

describe('the registry REST API', () => {
  it('answers with Confluent’s media type, status codes and error_code values', async () => {
    const subject = unique('errors-value');
    const registered = await call('POST', `/subjects/${subject}/versions`, { schema: '"string"' });
    expect(registered.status).toBe(200);
    expect(registered.headers.get('content-type')).toContain(MEDIA_TYPE);
    const { id } = (await registered.json()) as { id: number };

    expect(await answer(await call('GET', `/subjects/${subject}/versions/latest`))).toEqual({
      status: 200,
      body: { subject, version: 1, id, schema: '"string"' },
    });
    expect(await answer(await call('POST', `/subjects/${subject}`, { schema: '"string"' }))).toEqual({
      status: 200,
      body: { subject, version: 1, id, schema: '"string"' },
    });
    const errors = [
      [await call('GET', `/subjects/${unique('none')}/versions`), 404, 40401],
      [await call('GET', `/subjects/${subject}/versions/7`), 404, 40402],
      [await call('GET', `/schemas/ids/999999999`), 404, 40403],
      [await call('GET', `/config/${subject}`), 404, 40408],
      [await call('POST', `/subjects/${subject}/versions`, { schema: '{"type":"recrd"}' }), 422, 42201],
      [await call('POST', `/subjects/${subject}/versions`, {}), 422, 42201],
      [await call('PUT', `/config/${subject}`, { compatibility: 'SIDEWAYS' }), 422, 42203],
      [await call('GET', `/subjects/${subject}/versions/zero`), 422, 42202],
      [await call('POST', `/subjects/${subject}/versions`, { schema: '"int"' }), 409, 40901],
      [await call('DELETE', `/subjects/${subject}?permanent=true`), 404, 40405],
      [await call('GET', '/no/such/route'), 404, 404],
    ] as const;
    const seen = await Promise.all(
      errors.map(async ([response, status, code]) => ({
        url: response.url,
        status: response.status,
        code: ((await response.json()) as { error_code: number }).error_code,
        expected: { status, code },
      })),
    );
    expect(seen.map(({ status, code }) => ({ status, code }))).toEqual(seen.map(({ expected }) => expected));
  });

  it('checks compatibility with verbose messages, keeps config per subject and deletes soft then permanent', async () => {
    const subject = unique('compat-value');
    const v1 = order([{ name: 'id', type: 'string' }]);
    await call('POST', `/subjects/${subject}/versions`, { schema: v1 });
    const breaking = order([
      { name: 'id', type: 'string' },
      { name: 'qty', type: 'int' },
    ]);
    const verbose = await answer(
      await call('POST', `/compatibility/subjects/${subject}/versions/latest?verbose=true`, {
        schema: breaking,
      }),
    );
    expect(verbose.body['is_compatible']).toBe(false);
    expect(String(verbose.body['messages'])).toContain('qty');
    expect(await answer(await call('PUT', `/config/${subject}`, { compatibility: 'none' }))).toEqual({
      status: 200,
      body: { compatibility: 'NONE' },
    });
    expect(await answer(await call('GET', `/config/${subject}`))).toEqual({
      status: 200,
      body: { compatibilityLevel: 'NONE' },
    });
    expect(
      await answer(
        await call('POST', `/compatibility/subjects/${subject}/versions/latest`, { schema: breaking }),
      ),
    ).toEqual({ status: 200, body: { is_compatible: true } });
    expect(await answer(await call('GET', '/config'))).toEqual({
      status: 200,
      body: { compatibilityLevel: 'BACKWARD' },
    });
    expect((await call('POST', `/subjects/${subject}/versions`, { schema: breaking })).status).toBe(200);
    expect(await (await call('DELETE', `/subjects/${subject}/versions/1`)).json()).toBe(1);
    expect(await (await call('GET', `/subjects/${subject}/versions`)).json()).toEqual([2]);
    expect(await (await call('GET', `/subjects/${subject}/versions?deleted=true`)).json()).toEqual([1, 2]);
    expect(await (await call('DELETE', `/subjects/${subject}`)).json()).toEqual([2]);
    expect(await (await call('DELETE', `/subjects/${subject}?permanent=true`)).json()).toEqual([1, 2]);
    expect((await call('GET', `/subjects/${subject}/versions?deleted=true`)).status).toBe(404);
  });

  it('takes API keys as basic auth: none or a wrong one is 401, a key without admin reads but cannot register', async () => {
    const anonymous = await fetch(`${server.url}/registry/subjects`);
    expect(await answer(anonymous)).toMatchObject({ status: 401, body: { error_code: 401 } });
    const wrong = await call('GET', '/subjects', undefined, generateApiKey());
    expect(await answer(wrong)).toMatchObject({ status: 401, body: { error_code: 401 } });
    expect((await call('GET', '/subjects', undefined, readerKey)).status).toBe(200);
    const register = await call(
      'POST',
      `/subjects/${unique('x')}/versions`,
      { schema: '"string"' },
      readerKey,
    );
    expect(await answer(register)).toMatchObject({ status: 403, body: { error_code: 403 } });
  });

  it('keeps schemas in the SQLite log’s file, so they survive a restart of the gateway', async () => {
    const first = await startTestServer();
    const subject = unique('durable-value');
    const registered = await fetch(`${first.url}/registry/subjects/${subject}/versions`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ schema: '"string"' }),
    });
    const { id } = (await registered.json()) as { id: number };
    await first.handle.close();
    const second = await startTestServer({ dataDir: first.dir });
    try {
      const again = await fetch(`${second.url}/registry/subjects/${subject}/versions/1`);
      expect(await again.json()).toEqual({ subject, version: 1, id, schema: '"string"' });
    } finally {
      await second.close();
      await first.close();
    }
  });

  it('keeps schemas in PostgreSQL, in the schema of a PostgreSQL transport', async () => {
    const schema = `eddy_reg_${randomBytes(5).toString('hex')}`;
    const transport = await createPostgresTransport({ connectionString: POSTGRES_URL, schema });
    const gateway = await startTestServer({ transport });
    try {
      const subject = unique('pg-value');
      const registered = await fetch(`${gateway.url}/registry/subjects/${subject}/versions`, {
        method: 'POST',
        headers: { 'content-type': MEDIA_TYPE },
        body: JSON.stringify({ schema: '"long"' }),
      });
      const { id } = (await registered.json()) as { id: number };
      const { rows } = await transport.pool.query<{ subject: string; schema_id: string }>(
        `SELECT subject, schema_id FROM "${schema}".registry_versions`,
      );
      expect(rows).toEqual([{ subject, schema_id: String(id) }]);
    } finally {
      await gateway.close();
      await transport.pool.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
      await transport.close();
    }
  });
});
