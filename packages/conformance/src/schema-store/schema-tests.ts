import { expect, it } from 'vitest';
import { newSchema, peer, type SchemaStoreHarness } from './harness.js';

/** Schemas by global id: stored once per fingerprint, imports with a chosen id, ids never shared. */
export function schemaTests(harness: SchemaStoreHarness): void {
  it('stores a schema under a new id and returns it by id and by fingerprint, references included', async () => {
    const store = await harness.open();
    const schema = newSchema([{ name: 'com.acme.Money', subject: 'money-value', version: 3 }]);
    const put = await store.putSchema(schema);
    expect(put.outcome).toBe('created');
    expect(put.id).toBeGreaterThan(0);
    expect(await store.getSchema(put.id)).toEqual({ ...schema, id: put.id });
    expect(await store.findSchema(schema.fingerprint)).toEqual({ ...schema, id: put.id });
    expect(await store.findSchema(`${schema.fingerprint}-unknown`)).toBeUndefined();
  });

  it('answers an unknown id with undefined', async () => {
    const store = await harness.open();
    const { id } = await store.putSchema(newSchema());
    expect(await store.getSchema(id + 1_000_000)).toBeUndefined();
  });

  it('returns the existing id for a fingerprint stored already, and new ids for new fingerprints', async () => {
    const store = await harness.open();
    const schema = newSchema();
    const first = await store.putSchema(schema);
    const again = await store.putSchema({ ...schema, schema: `${schema.schema}\n` });
    expect(again).toEqual({ outcome: 'existing', id: first.id });
    // The content stays as first stored.
    expect((await store.getSchema(first.id))?.schema).toBe(schema.schema);
    const other = await store.putSchema(newSchema());
    expect(other.outcome).toBe('created');
    expect(other.id).not.toBe(first.id);
  });

  it('imports under a requested id, refuses a taken id or content stored elsewhere, and assigns later ids above it', async () => {
    const store = await harness.open();
    const { id: highest } = await store.putSchema(newSchema());
    const wanted = highest + 1_000;
    const schema = newSchema();
    expect(await store.putSchema(schema, { id: wanted })).toEqual({ outcome: 'created', id: wanted });
    expect(await store.putSchema(schema, { id: wanted })).toEqual({ outcome: 'existing', id: wanted });
    expect(await store.putSchema(newSchema(), { id: wanted })).toEqual({ outcome: 'id-taken', id: wanted });
    expect(await store.putSchema(schema, { id: wanted + 1 })).toEqual({
      outcome: 'stored-under-other-id',
      id: wanted,
    });
    const next = await store.putSchema(newSchema());
    expect(next.id).toBeGreaterThan(wanted);
  });

  it('gives concurrent puts of one fingerprint one id, and of different fingerprints different ids', async () => {
    const stores = await harness.openPeers(4);
    const schema = newSchema();
    const same = await Promise.all(Array.from({ length: 16 }, (_, i) => peer(stores, i).putSchema(schema)));
    expect(new Set(same.map((put) => put.id)).size).toBe(1);
    expect(same.filter((put) => put.outcome === 'created')).toHaveLength(1);
    const different = await Promise.all(
      Array.from({ length: 16 }, (_, i) => peer(stores, i).putSchema(newSchema())),
    );
    expect(new Set(different.map((put) => put.id)).size).toBe(16);
  });
}
