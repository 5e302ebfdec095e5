import avro from 'avsc';
import {
  compileValidator,
  createAvroReader,
  createMemorySchemaStore,
  createSchemaRegistry,
  createValidatorCache,
  parseSchema,
  SchemaErrorCodes,
  SchemaViolationError,
} from '@eddy/schemas';
import { describe, expect, it } from 'vitest';
import { expectEddyError, record } from './helpers.js';

const order = {
  type: 'object',
  required: ['id', 'total'],
  additionalProperties: false,
  properties: {
    id: { type: 'string', minLength: 3 },
    total: { type: 'number', minimum: 0 },
    email: { type: 'string', format: 'email' },
    lines: {
      type: 'array',
      items: { type: 'object', required: ['sku'], properties: { sku: { type: 'string' } } },
    },
  },
};

describe('compiled validators', () => {
  it('JSON Schema: lists every failing path, formats included', () => {
    const validator = compileValidator(parseSchema('JSON', JSON.stringify(order), [], []));
    expect(validator.validate({ id: 'o-1', total: 10, email: 'a@b.co', lines: [{ sku: 'x' }] })).toEqual([]);
    expect(validator.validate({ id: 'o', total: -1, email: 'nope', lines: [{}], extra: true })).toEqual([
      { path: '/', message: 'must NOT have additional properties' },
      { path: '/id', message: 'must NOT have fewer than 3 characters' },
      { path: '/total', message: 'must be >= 0' },
      { path: '/email', message: 'must match format "email"' },
      { path: '/lines/0', message: "must have required property 'sku'" },
    ]);
  });

  it('Avro: lists every invalid field with its path, and undeclared fields', () => {
    const schema = record('Order', [
      { name: 'id', type: 'string' },
      { name: 'qty', type: 'int' },
      { name: 'note', type: ['null', 'string'], default: null },
    ]);
    const validator = compileValidator(parseSchema('AVRO', JSON.stringify(schema), [], []));
    expect(validator.validate({ id: 'o-1', qty: 2, note: null })).toEqual([]);
    expect(validator.validate({ id: 7, qty: 2.5, note: null })).toEqual([
      { path: '/id', message: 'is not a valid string' },
      { path: '/qty', message: 'is not a valid int' },
    ]);
    expect(validator.validate({ id: 'o-1', qty: 1, note: null, extra: 1 })).toEqual([
      { path: '/extra', message: 'is not a field of record Order' },
    ]);
  });

  it('Protobuf: passes valid messages fast and lists every failing path otherwise', () => {
    const proto =
      'syntax = "proto3";\nmessage Order { string id = 1; int32 qty = 2; repeated Line lines = 3; Status status = 4;\n' +
      '  message Line { string sku = 1; }\n  enum Status { NEW = 0; PAID = 1; } }\n';
    const validator = compileValidator(parseSchema('PROTOBUF', proto, [], []));
    expect(validator.validate({ id: 'o-1', qty: 2, lines: [{ sku: 'a' }], status: 'PAID' })).toEqual([]);
    expect(validator.validate({ id: 1, qty: 'two', lines: [{ sku: 2 }], status: 'LOST' })).toEqual([
      { path: '/id', message: 'must be string' },
      { path: '/qty', message: 'must be int32' },
      { path: '/lines/0/sku', message: 'must be string' },
      { path: '/status', message: 'is not a value of enum Status' },
    ]);
  });

  it('assert throws EDDY_SCHEMA_VIOLATION carrying every problem', async () => {
    const validator = compileValidator(parseSchema('JSON', JSON.stringify(order), [], []));
    const error = await expectEddyError(
      () => validator.assert({ id: 'o' }, 'orders-value'),
      SchemaErrorCodes.SchemaViolation,
      'orders-value',
      '/id must NOT have fewer than 3 characters',
      "/ must have required property 'total'",
    );
    expect(error).toBeInstanceOf(SchemaViolationError);
    expect(error).toMatchObject({ code: 'EDDY_SCHEMA_VIOLATION' });
    expect((error as SchemaViolationError).problems).toHaveLength(2);
    expect(() => validator.assert({ id: 'o-1', total: 0 })).not.toThrow();
  });
});

describe('validator cache', () => {
  it('compiles once per schema id and keeps the validator', async () => {
    const registry = createSchemaRegistry({ store: createMemorySchemaStore() });
    const { id } = await registry.register('orders', { schema: JSON.stringify(order), schemaType: 'JSON' });
    const cache = createValidatorCache({ registry });
    const first = await cache.validator(id);
    expect(await cache.validator(id)).toBe(first);
    expect(first.validate({ id: 'o-1', total: 1 })).toEqual([]);
    await expectEddyError(cache.validator(999), SchemaErrorCodes.SchemaNotFound);
  });
});

describe('reading old Avro data with a newer schema', () => {
  const v1 = record('User', [
    { name: 'id', type: 'int' },
    { name: 'name', type: 'string' },
  ]);
  const v2 = record('User', [
    { name: 'id', type: 'long' },
    { name: 'email', type: 'string', default: 'unknown' },
  ]);

  it('fills new fields with defaults, promotes types and skips removed fields', async () => {
    const registry = createSchemaRegistry({ store: createMemorySchemaStore() });
    const writer = await registry.register('users-value', { schema: JSON.stringify(v1) });
    const reader = await registry.register('users-value', { schema: JSON.stringify(v2) });
    const written = avro.Type.forSchema(v1 as avro.Schema).toBuffer({ id: 7, name: 'Ada' });
    const read = await createValidatorCache({ registry }).avroReader({
      writerId: writer.id,
      readerId: reader.id,
    });
    expect(read.read(written)).toEqual({ id: 7, email: 'unknown' });
  });

  it('refuses a reader that cannot read the writer, saying why', async () => {
    const writer = parseSchema('AVRO', JSON.stringify(v2), [], []);
    const reader = parseSchema('AVRO', JSON.stringify(v1), [], []);
    await expectEddyError(
      () => createAvroReader({ writer, reader }),
      SchemaErrorCodes.IncompatibleSchema,
      'READER_FIELD_MISSING_DEFAULT_VALUE',
      '"name"',
    );
  });
});
