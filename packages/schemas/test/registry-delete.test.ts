import {
  createMemorySchemaStore,
  createSchemaRegistry,
  SchemaErrorCodes,
  type SchemaRegistry,
} from '@eddy/schemas';
import { beforeEach, describe, expect, it } from 'vitest';
import { expectEddyError, record } from './helpers.js';

const v1 = JSON.stringify(record('User', [{ name: 'id', type: 'long' }]));
const v2 = JSON.stringify(
  record('User', [
    { name: 'id', type: 'long' },
    { name: 'email', type: ['null', 'string'], default: null },
  ]),
);

let registry: SchemaRegistry;
beforeEach(async () => {
  registry = createSchemaRegistry({ store: createMemorySchemaStore() });
  await registry.register('users-value', { schema: v1 });
  await registry.register('users-value', { schema: v2 });
});

describe('deleting versions', () => {
  it('soft-deletes a version: gone from listings unless deleted ones are asked for, still served by id', async () => {
    expect(await registry.deleteVersion('users-value', 1)).toBe(1);
    expect(await registry.listVersions('users-value')).toEqual([2]);
    expect(await registry.listVersions('users-value', { deleted: true })).toEqual([1, 2]);
    await expectEddyError(registry.getVersion('users-value', 1), SchemaErrorCodes.VersionNotFound);
    expect(await registry.getVersion('users-value', 1, { deleted: true })).toMatchObject({
      version: 1,
      deleted: true,
    });
    expect((await registry.getSchemaById(1)).schema).toBe(v1);
    await expectEddyError(
      registry.deleteVersion('users-value', 1),
      SchemaErrorCodes.VersionSoftDeleted,
      'permanent',
    );
  });

  it('deletes permanently only after a soft delete', async () => {
    await expectEddyError(
      registry.deleteVersion('users-value', 2, { permanent: true }),
      SchemaErrorCodes.VersionNotSoftDeleted,
      'Soft-delete it first',
    );
    await registry.deleteVersion('users-value', 2);
    expect(await registry.deleteVersion('users-value', 2, { permanent: true })).toBe(2);
    expect(await registry.listVersions('users-value', { deleted: true })).toEqual([1]);
    await expectEddyError(registry.getSchemaById(2), SchemaErrorCodes.SchemaNotFound);
  });

  it('resolves latest to the newest live version, and never reuses a soft-deleted version number', async () => {
    expect(await registry.deleteVersion('users-value', 'latest')).toBe(2);
    expect((await registry.getVersion('users-value', 'latest')).version).toBe(1);
    const again = await registry.register('users-value', { schema: v2 });
    expect(again).toMatchObject({ version: 3, id: 2 });
    // The soft-deleted version 2 with the same schema is superseded and removed, as in Confluent.
    expect(await registry.listVersions('users-value', { deleted: true })).toEqual([1, 3]);
  });

  it('checks compatibility against live versions only', async () => {
    await registry.deleteVersion('users-value', 2);
    const breaksV2 = JSON.stringify(
      record('User', [
        { name: 'id', type: 'long' },
        { name: 'email', type: 'long', default: 0 },
      ]),
    );
    expect((await registry.register('users-value', { schema: breaksV2 })).version).toBe(3);
  });
});

describe('deleting subjects', () => {
  it('soft-deletes every live version, then permanently, then forgets the subject and its settings', async () => {
    await registry.setCompatibility('FULL', { subject: 'users-value' });
    await expectEddyError(
      registry.deleteSubject('users-value', { permanent: true }),
      SchemaErrorCodes.SubjectNotSoftDeleted,
      'Soft-delete it first',
    );
    expect(await registry.deleteSubject('users-value')).toEqual([1, 2]);
    expect(await registry.listSubjects()).toEqual([]);
    expect(await registry.listSubjects({ deleted: true })).toEqual(['users-value']);
    await expectEddyError(registry.listVersions('users-value'), SchemaErrorCodes.SubjectNotFound);
    await expectEddyError(
      registry.deleteSubject('users-value'),
      SchemaErrorCodes.SubjectSoftDeleted,
      'permanent: true',
    );
    expect(await registry.deleteSubject('users-value', { permanent: true })).toEqual([1, 2]);
    expect(await registry.listSubjects({ deleted: true })).toEqual([]);
    await expectEddyError(
      registry.getCompatibility({ subject: 'users-value' }),
      SchemaErrorCodes.SubjectCompatibilityNotConfigured,
    );
    await expectEddyError(registry.deleteSubject('users-value'), SchemaErrorCodes.SubjectNotFound);
  });

  it('refuses to delete in READONLY mode', async () => {
    await registry.setMode('READONLY', { subject: 'users-value' });
    await expectEddyError(
      registry.deleteSubject('users-value'),
      SchemaErrorCodes.OperationNotPermitted,
      'READONLY',
    );
    await expectEddyError(
      registry.deleteVersion('users-value', 1),
      SchemaErrorCodes.OperationNotPermitted,
      'READONLY',
    );
  });
});
