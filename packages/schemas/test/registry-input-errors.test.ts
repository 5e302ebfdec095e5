import {
  confluentErrorFor,
  createMemorySchemaStore,
  createSchemaRegistry,
  SchemaErrorCodes,
  type SchemaRegistry,
} from '@eddy/schemas';
import { beforeEach, describe, expect, it } from 'vitest';
import { expectEddyError } from './helpers.js';

let registry: SchemaRegistry;
beforeEach(() => {
  registry = createSchemaRegistry({ store: createMemorySchemaStore(), maxSchemaBytes: 200 });
});

/** Every bad input is refused with its code, maps to Confluent's answer, and leaves nothing stored. */
async function refused(
  work: Promise<unknown>,
  code: string,
  confluent: { status: number; errorCode: number },
  ...fragments: string[]
): Promise<void> {
  const error = await expectEddyError(work, code, ...fragments);
  expect(confluentErrorFor(error)).toEqual(confluent);
  expect(await registry.listSubjects({ deleted: true })).toEqual([]);
}

const invalid = { status: 422, errorCode: 42201 };

describe('bad input', () => {
  it('refuses an Avro schema avsc cannot parse', async () => {
    await refused(
      registry.register('s', { schema: '{"type":"recrod","name":"X","fields":[]}' }),
      SchemaErrorCodes.InvalidSchema,
      invalid,
      'Invalid Avro schema',
      'recrod',
    );
  });

  it('refuses an Avro field default that does not match its type', async () => {
    await refused(
      registry.register('s', {
        schema: '{"type":"record","name":"X","fields":[{"name":"n","type":"int","default":"one"}]}',
      }),
      SchemaErrorCodes.InvalidSchema,
      invalid,
      'default',
    );
  });

  it('refuses text that is not JSON for Avro and JSON Schema', async () => {
    await refused(
      registry.register('s', { schema: '{type: record' }),
      SchemaErrorCodes.InvalidSchema,
      invalid,
      'not JSON',
    );
    await refused(
      registry.register('s', { schema: '{', schemaType: 'JSON' }),
      SchemaErrorCodes.InvalidSchema,
      invalid,
      'not JSON',
    );
  });

  it('refuses a JSON Schema that breaks its meta-schema', async () => {
    await refused(
      registry.register('s', { schema: '{"type":"strin"}', schemaType: 'JSON' }),
      SchemaErrorCodes.InvalidSchema,
      invalid,
      'Invalid JSON Schema',
    );
    await refused(
      registry.register('s', { schema: '{"type":"string","minLength":-1}', schemaType: 'JSON' }),
      SchemaErrorCodes.InvalidSchema,
      invalid,
      'minLength',
    );
  });

  it('refuses a JSON Schema draft it does not support', async () => {
    await refused(
      registry.register('s', {
        schema: '{"$schema":"http://json-schema.org/draft-04/schema#"}',
        schemaType: 'JSON',
      }),
      SchemaErrorCodes.InvalidSchema,
      invalid,
      'Unsupported JSON Schema $schema',
      'draft-07',
    );
  });

  it('refuses a .proto file that does not parse or names unknown types', async () => {
    await refused(
      registry.register('s', {
        schema: 'syntax = "proto3"; message A { string x = ; }',
        schemaType: 'PROTOBUF',
      }),
      SchemaErrorCodes.InvalidSchema,
      invalid,
      'Invalid Protobuf schema',
    );
    await refused(
      registry.register('s', {
        schema: 'syntax = "proto3"; message A { Missing x = 1; }',
        schemaType: 'PROTOBUF',
      }),
      SchemaErrorCodes.InvalidSchema,
      invalid,
      'Missing',
    );
  });

  it('refuses an unknown schema type, naming the known ones', async () => {
    await refused(
      registry.register('s', { schema: '<xs:schema/>', schemaType: 'XML' }),
      SchemaErrorCodes.UnknownSchemaType,
      invalid,
      '"XML"',
      'AVRO',
    );
  });

  it('refuses a schema over the size limit', async () => {
    const big = JSON.stringify({ type: 'string', description: 'x'.repeat(300) });
    const error = await expectEddyError(
      registry.register('s', { schema: big, schemaType: 'JSON' }),
      SchemaErrorCodes.SchemaTooLarge,
      'limit of 200 bytes',
    );
    expect(confluentErrorFor(error)).toEqual({ status: 422, errorCode: 42209 });
    // The default limit (1 MiB) takes it.
    const roomy = createSchemaRegistry({ store: createMemorySchemaStore() });
    expect((await roomy.register('s', { schema: big, schemaType: 'JSON' })).version).toBe(1);
  });

  it('refuses an empty schema and a malformed reference', async () => {
    await refused(
      registry.register('s', { schema: '  ' }),
      SchemaErrorCodes.InvalidSchema,
      invalid,
      'Empty schema',
    );
    await refused(
      registry.register('s', { schema: '"string"', references: [{ name: 'x', subject: 'y', version: 0 }] }),
      SchemaErrorCodes.InvalidSchema,
      invalid,
      'positive integer version',
    );
  });

  it('refuses a bad subject name', async () => {
    await refused(
      registry.register('', { schema: '"string"' }),
      SchemaErrorCodes.InvalidSubject,
      { status: 422, errorCode: 42208 },
      'empty',
    );
    await refused(
      registry.register('a\nb', { schema: '"string"' }),
      SchemaErrorCodes.InvalidSubject,
      { status: 422, errorCode: 42208 },
      'control',
    );
  });

  it('maps the not-found and conflict answers to Confluent codes', async () => {
    const notFound = await expectEddyError(
      registry.getVersion('nobody', 1),
      SchemaErrorCodes.SubjectNotFound,
    );
    expect(confluentErrorFor(notFound)).toEqual({ status: 404, errorCode: 40401 });
    await registry.register('s', { schema: '"string"' });
    const incompatible = await expectEddyError(
      registry.register('s', { schema: '"int"' }),
      SchemaErrorCodes.IncompatibleSchema,
    );
    expect(confluentErrorFor(incompatible)).toEqual({ status: 409, errorCode: 40901 });
    expect(confluentErrorFor(new Error('plain'))).toBeUndefined();
  });
});
