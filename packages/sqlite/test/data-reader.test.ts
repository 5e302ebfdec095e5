import { createBus, type BusEvent, type DeadLetterNotice, type PublishMiddleware } from '@eddy/core';
import {
  createDataContracts,
  createDataReader,
  createMemorySchemaStore,
  createSchemaRegistry,
  SchemaErrorCodes,
} from '@eddy/schemas';
import { createSqliteTransport } from '@eddy/sqlite';
import { afterAll, describe, expect, it } from 'vitest';
import { tempDir, unique, waitFor } from './helpers.js';

const tmp = tempDir();
afterAll(() => tmp.remove());

interface Events {
  [type: string]: Record<string, unknown>;
}

const orderV1 = {
  type: 'record',
  name: 'OrderShipped',
  fields: [
    { name: 'id', type: 'string' },
    { name: 'qty', type: 'int' },
    { name: 'legacyCode', type: 'string', default: '' },
  ],
};
// Backward compatible: a field with a default added, int promoted to long, a field dropped.
const orderV2 = {
  type: 'record',
  name: 'OrderShipped',
  fields: [
    { name: 'id', type: 'string' },
    { name: 'qty', type: 'long' },
    { name: 'carrier', type: 'string', default: 'post' },
  ],
};
const noteV1 = {
  type: 'object',
  required: ['text'],
  additionalProperties: false,
  properties: { text: { type: 'string', maxLength: 10 } },
};
const noteV2 = { ...noteV1, properties: { ...noteV1.properties, lang: { type: 'string' } } };

describe('reading data written with older schema versions, through the bus on SQLite', () => {
  it('resolves Avro from the writer version to the reader version and checks JSON against the writer version', async () => {
    const shipped = unique('order.shipped');
    const noted = unique('order.noted');
    const registry = createSchemaRegistry({ store: createMemorySchemaStore() });
    await registry.register(shipped, { schemaType: 'AVRO', schema: JSON.stringify(orderV1) });
    await registry.register(noted, { schemaType: 'JSON', schema: JSON.stringify(noteV1) });
    const contracts = createDataContracts({ registry, refreshMs: 0 });
    const transport = createSqliteTransport({ path: tmp.file() });
    const producer = createBus<Events>({
      transport,
      closeTransport: false,
      publishMiddleware: [contracts.publishMiddleware],
    });

    // Written with version 1 of both subjects.
    await producer.publish(shipped, { id: 'o-1', qty: 2, legacyCode: 'X9' });
    await producer.publish(noted, { text: 'hello' });
    await registry.register(shipped, { schemaType: 'AVRO', schema: JSON.stringify(orderV2) });
    await registry.register(noted, { schemaType: 'JSON', schema: JSON.stringify(noteV2) });
    // Written with version 2.
    await producer.publish(shipped, { id: 'o-2', qty: 5, carrier: 'dhl' });
    await producer.publish(noted, { text: 'hi there', lang: 'de' });
    // A producer that claims version 1 without checking: the data breaks version 1.
    const claimsV1: PublishMiddleware = (next) => (outgoing) =>
      next({
        ...outgoing,
        event: { ...outgoing.event, dataschema: `urn:eddy:registry/subjects/${noted}/versions/1` },
      });
    const liar = createBus<Events>({ transport, closeTransport: false, publishMiddleware: [claimsV1] });
    await liar.publish(noted, { text: 'far too long for v1', lang: 'en' });

    const reader = createDataReader({ registry });
    const seen: BusEvent[] = [];
    const deadLetters: DeadLetterNotice[] = [];
    const consumer = createBus<Events>({
      transport,
      closeTransport: false,
      middleware: [reader.middleware],
      onDeadLetter: (notice) => void deadLetters.push(notice),
    });
    consumer.on(shipped, (event) => void seen.push(event), { from: 'earliest' });
    consumer.on(noted, (event) => void seen.push(event), { from: 'earliest' });
    await consumer.start();
    await waitFor(
      () => seen.length === 4 && deadLetters.length === 1,
      20_000,
      'four events and one dead letter',
    );
    await consumer.stop();
    await producer.stop();
    await liar.stop();
    await transport.close();

    // Events spread over partitions, so they are compared in publish order (their data sorts so).
    const byType = (type: string) =>
      seen
        .filter((event) => event.type === type)
        .sort((a, b) => JSON.stringify(a.data).localeCompare(JSON.stringify(b.data)))
        .map((event) => ({ data: { ...(event.data as object) }, dataschema: event.dataschema }));
    expect(byType(shipped)).toEqual([
      // Version 1 data as version 2 reads it: the default filled in, the dropped field gone.
      {
        data: { id: 'o-1', qty: 2, carrier: 'post' },
        dataschema: `urn:eddy:registry/subjects/${shipped}/versions/2`,
      },
      {
        data: { id: 'o-2', qty: 5, carrier: 'dhl' },
        dataschema: `urn:eddy:registry/subjects/${shipped}/versions/2`,
      },
    ]);
    expect(byType(noted)).toEqual([
      { data: { text: 'hello' }, dataschema: `urn:eddy:registry/subjects/${noted}/versions/1` },
      {
        data: { text: 'hi there', lang: 'de' },
        dataschema: `urn:eddy:registry/subjects/${noted}/versions/2`,
      },
    ]);
    const refused = deadLetters[0]!;
    expect(refused.event.data).toEqual({ text: 'far too long for v1', lang: 'en' });
    expect((refused.error as { code?: string }).code).toBe(SchemaErrorCodes.SchemaViolation);
    expect((refused.error as Error).message).toContain(`subject "${noted}" version 1`);
  });

  it('with requireSchema refuses an event of a bound type that names no schema version', async () => {
    const type = unique('order.bare');
    const registry = createSchemaRegistry({ store: createMemorySchemaStore() });
    await registry.register(type, { schemaType: 'JSON', schema: JSON.stringify(noteV1) });
    const reader = createDataReader({ registry, requireSchema: true });
    const transport = createSqliteTransport({ path: tmp.file() });
    const bus = createBus<Events>({ transport });
    const deadLetters: DeadLetterNotice[] = [];
    const seen: BusEvent[] = [];
    const withDeadLetters = createBus<Events>({
      transport,
      closeTransport: false,
      middleware: [reader.middleware],
      onDeadLetter: (notice) => void deadLetters.push(notice),
    });
    withDeadLetters.on(type, (event) => void seen.push(event), { from: 'earliest' });
    await withDeadLetters.start();
    await bus.publish(type, { text: 'plain' });
    await waitFor(() => deadLetters.length === 1, 20_000, 'the dead letter');
    await withDeadLetters.stop();
    await bus.stop();
    expect(seen).toEqual([]);
    expect((deadLetters[0]!.error as { code?: string }).code).toBe(SchemaErrorCodes.SchemaViolation);
    expect((deadLetters[0]!.error as Error).message).toContain('has no dataschema');
  });
});
