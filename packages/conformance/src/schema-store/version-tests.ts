import { expect, it } from 'vitest';
import { newSchema, peer, uniqueName, type SchemaStoreHarness } from './harness.js';

/** Subjects' versions: one winner per (subject, version), soft and permanent deletes, lookups. */
export function versionTests(harness: SchemaStoreHarness): void {
  it('lists a subject’s versions in ascending order and refuses a version number twice', async () => {
    const store = await harness.open();
    const subject = uniqueName('orders-value');
    const { id } = await store.putSchema(newSchema());
    expect(await store.addVersion({ subject, version: 2, schemaId: id })).toBe(true);
    expect(await store.addVersion({ subject, version: 1, schemaId: id })).toBe(true);
    expect(await store.addVersion({ subject, version: 2, schemaId: id })).toBe(false);
    expect(await store.listVersions(subject)).toEqual([
      { subject, version: 1, schemaId: id, deleted: false },
      { subject, version: 2, schemaId: id, deleted: false },
    ]);
    expect(await store.listVersions(uniqueName('unknown'))).toEqual([]);
  });

  it('lets exactly one of concurrent adds of the same version win, on every handle', async () => {
    const stores = await harness.openPeers(4);
    const subject = uniqueName('race');
    const ids = await Promise.all(Array.from({ length: 8 }, () => peer(stores, 0).putSchema(newSchema())));
    const results = await Promise.all(
      ids.map((put, i) => peer(stores, i).addVersion({ subject, version: 1, schemaId: put.id })),
    );
    expect(results.filter(Boolean)).toHaveLength(1);
    const winner = ids[results.indexOf(true)]!.id;
    expect(await peer(stores, 3).listVersions(subject)).toEqual([
      { subject, version: 1, schemaId: winner, deleted: false },
    ]);
  });

  it('soft-deletes a live version once, deletes a version for good, and lists subjects with or without deleted ones', async () => {
    const store = await harness.open();
    const live = uniqueName('live');
    const gone = uniqueName('gone');
    const { id } = await store.putSchema(newSchema());
    await store.addVersion({ subject: live, version: 1, schemaId: id });
    await store.addVersion({ subject: gone, version: 1, schemaId: id });
    expect(await store.softDeleteVersion(gone, 1)).toBe(true);
    expect(await store.softDeleteVersion(gone, 1)).toBe(false);
    expect(await store.softDeleteVersion(gone, 2)).toBe(false);
    expect(await store.listVersions(gone)).toEqual([
      { subject: gone, version: 1, schemaId: id, deleted: true },
    ]);
    const liveOnly = await store.listSubjects({ includeDeleted: false });
    const all = await store.listSubjects({ includeDeleted: true });
    expect(liveOnly).toContain(live);
    expect(liveOnly).not.toContain(gone);
    expect(all).toEqual(expect.arrayContaining([live, gone]));
    expect([...all].sort()).toEqual(all);
    expect(await store.deleteVersion(gone, 1)).toBe(true);
    expect(await store.deleteVersion(gone, 1)).toBe(false);
    expect(await store.listVersions(gone)).toEqual([]);
    expect(await store.listSubjects({ includeDeleted: true })).not.toContain(gone);
    // The schema outlives its versions: ids are never reused.
    expect((await store.getSchema(id))?.id).toBe(id);
  });

  it('lists the versions holding a schema id across subjects, soft-deleted ones included', async () => {
    const store = await harness.open();
    const a = uniqueName('a');
    const b = uniqueName('b');
    const { id } = await store.putSchema(newSchema());
    await store.addVersion({ subject: b, version: 4, schemaId: id });
    await store.addVersion({ subject: a, version: 1, schemaId: id });
    await store.softDeleteVersion(b, 4);
    expect(await store.listVersionsOfSchema(id)).toEqual([
      { subject: a, version: 1, schemaId: id, deleted: false },
      { subject: b, version: 4, schemaId: id, deleted: true },
    ]);
  });

  it('lists the versions whose schemas reference a version', async () => {
    const store = await harness.open();
    const base = uniqueName('money');
    const user = uniqueName('orders');
    const { id: baseId } = await store.putSchema(newSchema());
    await store.addVersion({ subject: base, version: 1, schemaId: baseId });
    const { id: userId } = await store.putSchema(newSchema([{ name: 'Money', subject: base, version: 1 }]));
    await store.addVersion({ subject: user, version: 1, schemaId: userId });
    await store.addVersion({ subject: user, version: 2, schemaId: userId });
    await store.softDeleteVersion(user, 2);
    expect(await store.listReferrers(base, 1)).toEqual([
      { subject: user, version: 1, schemaId: userId, deleted: false },
      { subject: user, version: 2, schemaId: userId, deleted: true },
    ]);
    expect(await store.listReferrers(base, 2)).toEqual([]);
  });
}
