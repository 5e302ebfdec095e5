import { isEddyError } from '@eddy/core';
import { expect, it } from 'vitest';
import { newSchema, uniqueName, type SchemaStoreHarness } from './harness.js';

/** Settings per subject and registry-wide, and the closed-store contract. */
export function configTests(harness: SchemaStoreHarness): void {
  it('keeps each subject’s compatibility and mode, sets and removes each on its own', async () => {
    const store = await harness.open();
    const subject = uniqueName('orders-value');
    expect(await store.getConfig(subject)).toEqual({});
    expect(await store.updateConfig(subject, { compatibility: 'FULL' })).toEqual({ compatibility: 'FULL' });
    expect(await store.updateConfig(subject, { mode: 'READONLY' })).toEqual({
      compatibility: 'FULL',
      mode: 'READONLY',
    });
    expect(await store.getConfig(subject)).toEqual({ compatibility: 'FULL', mode: 'READONLY' });
    expect(await store.updateConfig(subject, { compatibility: null })).toEqual({ mode: 'READONLY' });
    expect(await store.getConfig(uniqueName('other'))).toEqual({});
    expect(await store.updateConfig(subject, { mode: null })).toEqual({});
    expect(await store.getConfig(subject)).toEqual({});
  });

  it('keeps the registry-wide settings apart from any subject’s', async () => {
    const store = await harness.open();
    const before = await store.getConfig(null);
    try {
      await store.updateConfig(null, { compatibility: 'NONE', mode: 'IMPORT' });
      const subject = uniqueName('orders-value');
      expect(await store.getConfig(null)).toEqual({ compatibility: 'NONE', mode: 'IMPORT' });
      expect(await store.getConfig(subject)).toEqual({});
      await store.updateConfig(subject, { compatibility: 'FORWARD' });
      expect((await store.getConfig(null)).compatibility).toBe('NONE');
    } finally {
      await store.updateConfig(null, {
        compatibility: before.compatibility ?? null,
        mode: before.mode ?? null,
      });
    }
    expect(await store.getConfig(null)).toEqual(before);
  });

  it('rejects every call on a closed store with EDDY_CLOSED, and closes twice without error', async () => {
    const store = await harness.open();
    await store.close();
    await expect(store.close()).resolves.toBeUndefined();
    const schema = newSchema();
    const calls: Record<string, () => Promise<unknown>> = {
      putSchema: () => store.putSchema(schema),
      getSchema: () => store.getSchema(1),
      findSchema: () => store.findSchema(schema.fingerprint),
      addVersion: () => store.addVersion({ subject: 's', version: 1, schemaId: 1 }),
      listVersions: () => store.listVersions('s'),
      listSubjects: () => store.listSubjects({ includeDeleted: true }),
      listVersionsOfSchema: () => store.listVersionsOfSchema(1),
      listReferrers: () => store.listReferrers('s', 1),
      softDeleteVersion: () => store.softDeleteVersion('s', 1),
      deleteVersion: () => store.deleteVersion('s', 1),
      getConfig: () => store.getConfig(null),
      updateConfig: () => store.updateConfig(null, {}),
    };
    for (const [method, call] of Object.entries(calls)) {
      const error = await call().then(
        () => undefined,
        (reason: unknown) => reason,
      );
      expect({ method, closed: isEddyError(error, 'EDDY_CLOSED') }).toEqual({ method, closed: true });
    }
  });
}
