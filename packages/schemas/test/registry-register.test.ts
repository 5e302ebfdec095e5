import {
  createMemorySchemaStore,
  createSchemaRegistry,
  SchemaErrorCodes,
  type SchemaRegistry,
} from '@eddy/schemas';
import { beforeEach, describe, expect, it } from 'vitest';
import { expectEddyError, record } from './helpers.js';

const user = (...extra: object[]) => JSON.stringify(record('User', [{ name: 'id', type: 'long' }, ...extra]));
const withEmail = user({ name: 'email', type: ['null', 'string'], default: null });

let registry: SchemaRegistry;
beforeEach(() => {
  registry = createSchemaRegistry({ store: createMemorySchemaStore() });
});

describe('registering', () => {
  it('registers version 1 with id 1, then the next compatible version with the next id', async () => {
    expect(await registry.register('users-value', { schema: user() })).toEqual({
      subject: 'users-value',
      version: 1,
      id: 1,
      schemaType: 'AVRO',
      schema: user(),
      references: [],
      deleted: false,
    });
    const second = await registry.register('users-value', { schema: withEmail });
    expect([second.version, second.id]).toEqual([2, 2]);
    expect(await registry.listVersions('users-value')).toEqual([1, 2]);
    expect((await registry.getVersion('users-value', 'latest')).schema).toBe(withEmail);
    expect((await registry.getVersion('users-value', -1)).version).toBe(2);
    expect((await registry.getVersion('users-value', '1')).id).toBe(1);
  });

  it('is idempotent: the same schema, however spelled, returns the same version and id', async () => {
    const first = await registry.register('users-value', { schema: user() });
    const spelled = JSON.stringify(
      { fields: [{ type: 'long', name: 'id' }], name: 'User', type: 'record' },
      null,
      2,
    );
    const again = await registry.register('users-value', { schema: spelled, schemaType: 'avro' });
    expect([again.version, again.id]).toEqual([first.version, first.id]);
    // The answer carries the text as first registered, as every later read does.
    expect(again.schema).toBe(user());
    expect((await registry.lookup('users-value', { schema: spelled })).schema).toBe(user());
    expect(await registry.listVersions('users-value')).toEqual([1]);
  });

  it('reuses the global id for the same schema under another subject', async () => {
    const a = await registry.register('a-value', { schema: user() });
    const b = await registry.register('b-value', { schema: user() });
    expect(b).toMatchObject({ subject: 'b-value', version: 1, id: a.id });
    expect(await registry.getSchemaVersions(a.id)).toEqual([
      { subject: 'a-value', version: 1 },
      { subject: 'b-value', version: 1 },
    ]);
  });

  it('tells schema types apart: the same text as JSON Schema is another schema', async () => {
    const json = await registry.register('j', { schema: '{"type":"string"}', schemaType: 'JSON' });
    const avro = await registry.register('a', { schema: '{"type":"string"}' });
    expect(json.id).not.toBe(avro.id);
    expect((await registry.getSchemaById(json.id)).schemaType).toBe('JSON');
  });

  it('refuses an incompatible schema with 409 semantics, listing what breaks, and stores nothing', async () => {
    await registry.register('users-value', { schema: user() });
    const error = await expectEddyError(
      registry.register('users-value', { schema: user({ name: 'email', type: 'string' }) }),
      SchemaErrorCodes.IncompatibleSchema,
      'subject "users-value" under BACKWARD',
      'READER_FIELD_MISSING_DEFAULT_VALUE at /fields/1',
    );
    expect((error as unknown as { messages: string[] }).messages).toHaveLength(1);
    expect(await registry.listVersions('users-value')).toEqual([1]);
  });

  it('refuses a version of another schema type under a compatibility level, and allows it under NONE', async () => {
    await registry.register('users-value', { schema: user() });
    const json = { schema: '{"type":"object"}', schemaType: 'JSON' };
    await expectEddyError(
      registry.register('users-value', json),
      SchemaErrorCodes.IncompatibleSchema,
      'SCHEMA_TYPE_CHANGED at /',
      'from AVRO to JSON',
    );
    await registry.setCompatibility('NONE', { subject: 'users-value' });
    expect(await registry.register('users-value', json)).toMatchObject({ version: 2, schemaType: 'JSON' });
  });

  it('looks a schema up under a subject, and says which of subject or schema is missing', async () => {
    await registry.register('users-value', { schema: user() });
    expect(await registry.lookup('users-value', { schema: user() })).toMatchObject({ version: 1, id: 1 });
    await expectEddyError(
      registry.lookup('users-value', { schema: withEmail }),
      SchemaErrorCodes.SchemaNotFound,
      'users-value',
    );
    await expectEddyError(
      registry.lookup('nobody', { schema: user() }),
      SchemaErrorCodes.SubjectNotFound,
      '"nobody"',
    );
  });

  it('serves schemas by id and lists subjects', async () => {
    await registry.register('b-value', { schema: user() });
    await registry.register('a-value', { schema: withEmail });
    expect(await registry.getSchemaById(1)).toEqual({
      id: 1,
      schemaType: 'AVRO',
      schema: user(),
      references: [],
    });
    await expectEddyError(registry.getSchemaById(99), SchemaErrorCodes.SchemaNotFound, 'Schema 99 not found');
    expect(await registry.listSubjects()).toEqual(['a-value', 'b-value']);
    expect(await registry.listSubjects({ prefix: 'a' })).toEqual(['a-value']);
    expect(registry.schemaTypes()).toEqual(['AVRO', 'JSON', 'PROTOBUF']);
  });

  it('answers unknown versions and subjects with their own codes', async () => {
    await registry.register('users-value', { schema: user() });
    await expectEddyError(
      registry.getVersion('users-value', 7),
      SchemaErrorCodes.VersionNotFound,
      'Version 7',
    );
    await expectEddyError(registry.getVersion('nobody', 1), SchemaErrorCodes.SubjectNotFound);
    await expectEddyError(registry.listVersions('nobody'), SchemaErrorCodes.SubjectNotFound);
    await expectEddyError(registry.getVersion('users-value', 0), SchemaErrorCodes.InvalidVersion, '0');
    await expectEddyError(
      registry.getVersion('users-value', 'first'),
      SchemaErrorCodes.InvalidVersion,
      '"first"',
    );
  });

  it('checks compatibility without registering: against latest, a version, or every version the level names', async () => {
    await registry.register('users-value', { schema: user() });
    await registry.register('users-value', { schema: withEmail });
    const breaking = { schema: user({ name: 'email', type: ['null', 'string'] }) };
    expect(await registry.checkCompatibility('users-value', breaking, { version: 'latest' })).toMatchObject({
      compatible: true,
    });
    const against1 = await registry.checkCompatibility('users-value', breaking, { version: 1 });
    expect(against1.compatible).toBe(false);
    expect(against1.messages[0]).toContain('version 1');
    await registry.setCompatibility('BACKWARD_TRANSITIVE', { subject: 'users-value' });
    expect((await registry.checkCompatibility('users-value', breaking)).compatible).toBe(false);
    expect((await registry.checkCompatibility('fresh', breaking, { version: 'latest' })).compatible).toBe(
      true,
    );
    await expectEddyError(
      registry.checkCompatibility('users-value', breaking, { version: 5 }),
      SchemaErrorCodes.VersionNotFound,
    );
    expect(await registry.listVersions('users-value')).toEqual([1, 2]);
  });

  it('gives concurrent registrations of one new schema one id and one version', async () => {
    const results = await Promise.all(
      Array.from({ length: 10 }, () => registry.register('race', { schema: user() })),
    );
    expect(new Set(results.map((result) => `${result.id}/${result.version}`))).toEqual(new Set(['1/1']));
  });

  it('checks each of concurrent registrations against the version that won before it', async () => {
    await registry.register('race', { schema: user() });
    await registry.setCompatibility('FORWARD', { subject: 'race' });
    // Each adds an optional field, compatible with every other, so all land: each on its own version.
    const schemas = ['a', 'b', 'c', 'd'].map((name) => user({ name, type: 'string', default: '' }));
    const results = await Promise.all(schemas.map((schema) => registry.register('race', { schema })));
    expect(results.map((result) => result.version).sort()).toEqual([2, 3, 4, 5]);
    expect(await registry.listVersions('race')).toEqual([1, 2, 3, 4, 5]);
  });

  it('refuses a racing registration that is incompatible with the version that won', async () => {
    await registry.register('race', { schema: user() });
    await registry.setCompatibility('FULL', { subject: 'race' });
    const number = user({ name: 'code', type: 'long', default: 0 });
    const text = user({ name: 'code', type: 'string', default: '' });
    const outcomes = await Promise.allSettled([
      registry.register('race', { schema: number }),
      registry.register('race', { schema: text }),
    ]);
    expect(outcomes.map((outcome) => outcome.status).sort()).toEqual(['fulfilled', 'rejected']);
    const rejected = outcomes.find((outcome) => outcome.status === 'rejected');
    expect((rejected?.reason as { code?: string }).code).toBe(SchemaErrorCodes.IncompatibleSchema);
    expect(await registry.listVersions('race')).toEqual([1, 2]);
  });
});
