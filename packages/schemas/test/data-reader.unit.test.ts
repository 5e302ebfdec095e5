import type { BusEvent } from '@eddy/core';
import avro from 'avsc';
import {
  createDataReader,
  createMemorySchemaStore,
  createSchemaRegistry,
  parseDataSchemaUri,
  SchemaErrorCodes,
} from '@eddy/schemas';
import { describe, expect, it } from 'vitest';
import { expectEddyError, record } from './helpers.js';

const v1 = record('Parcel', [
  { name: 'id', type: 'string' },
  { name: 'grams', type: 'int' },
]);
const v2 = record('Parcel', [
  { name: 'id', type: 'string' },
  { name: 'grams', type: 'int' },
  { name: 'fragile', type: 'boolean', default: false },
]);

const event = (data: unknown, dataschema?: string): BusEvent => ({
  id: 'e-1',
  source: '/test',
  specversion: '1.0',
  type: 'parcel.sent',
  data,
  ...(dataschema === undefined ? {} : { dataschema }),
});

async function setup() {
  const registry = createSchemaRegistry({ store: createMemorySchemaStore() });
  await registry.register('parcel.sent', { schemaType: 'AVRO', schema: JSON.stringify(v1) });
  await registry.register('parcel.sent', { schemaType: 'AVRO', schema: JSON.stringify(v2) });
  return registry;
}

describe('createDataReader', () => {
  it('reads newer data with a pinned older version, and Avro binary as well as JSON values', async () => {
    const registry = await setup();
    const reader = createDataReader({ registry, pinned: { 'parcel.sent': 1 } });
    const written = 'http://gw/registry/subjects/parcel.sent/versions/2';
    const read = await reader.read(event({ id: 'p-1', grams: 300, fragile: true }, written));
    expect({ ...(read.data as object) }).toEqual({ id: 'p-1', grams: 300 });
    expect(read.dataschema).toBe('http://gw/registry/subjects/parcel.sent/versions/1');

    const binary = avro.Type.forSchema(v2 as avro.Schema).toBuffer({ id: 'p-2', grams: 5, fragile: false });
    const decoded = await reader.read(event(new Uint8Array(binary), written));
    expect({ ...(decoded.data as object) }).toEqual({ id: 'p-2', grams: 5 });
  });

  it('passes on unbound types and events without dataschema; refuses data its writer version does not allow', async () => {
    const registry = await setup();
    const reader = createDataReader({
      registry,
      subjectFor: (type) => (type === 'parcel.sent' ? type : undefined),
    });
    const untouched = event({ anything: true });
    expect(await reader.read(untouched)).toBe(untouched);
    expect(await reader.read({ ...untouched, type: 'other' })).toEqual({ ...untouched, type: 'other' });
    await expectEddyError(
      reader.read(event({ id: 'p-3', grams: 'heavy' }, 'urn:eddy:registry/subjects/parcel.sent/versions/1')),
      SchemaErrorCodes.SchemaViolation,
      'subject "parcel.sent" version 1',
      '/grams',
    );
    await expectEddyError(
      reader.read(event({ id: 'p-4', grams: 1 }, 'urn:eddy:registry/subjects/parcel.sent/versions/9')),
      SchemaErrorCodes.VersionNotFound,
    );
  });

  it('refuses an Avro writer the reader version cannot resolve', async () => {
    const registry = await setup();
    await registry.setCompatibility('NONE', { subject: 'parcel.sent' });
    await registry.register('parcel.sent', {
      schemaType: 'AVRO',
      schema: JSON.stringify(record('Parcel', [{ name: 'weight', type: 'string' }])),
    });
    const reader = createDataReader({ registry });
    await expectEddyError(
      reader.read(event({ id: 'p-5', grams: 2 }, 'urn:eddy:registry/subjects/parcel.sent/versions/1')),
      SchemaErrorCodes.IncompatibleSchema,
    );
  });

  it('parses dataschema URIs it wrote, and only those', () => {
    expect(parseDataSchemaUri('urn:eddy:registry/subjects/a%2Fb/versions/12')).toEqual({
      subject: 'a/b',
      version: 12,
    });
    expect(parseDataSchemaUri('https://example.com/schemas/order.json')).toBeUndefined();
    expect(parseDataSchemaUri('urn:eddy:registry/subjects/a/versions/0')).toBeUndefined();
    expect(parseDataSchemaUri(undefined)).toBeUndefined();
  });
});
