import {
  createMemorySchemaStore,
  createSchemaRegistry,
  SchemaErrorCodes,
  type SchemaRegistry,
} from '@eddy/schemas';
import { beforeEach, describe, expect, it } from 'vitest';
import { expectEddyError, record } from './helpers.js';

const user = JSON.stringify(record('User', [{ name: 'id', type: 'long' }]));
const other = JSON.stringify(record('User', [{ name: 'id', type: 'string' }]));

let registry: SchemaRegistry;
beforeEach(() => {
  registry = createSchemaRegistry({ store: createMemorySchemaStore() });
});

describe('compatibility settings', () => {
  it('defaults to BACKWARD globally; a subject has none of its own unless asked to default to global', async () => {
    expect(await registry.getCompatibility()).toBe('BACKWARD');
    await expectEddyError(
      registry.getCompatibility({ subject: 'users-value' }),
      SchemaErrorCodes.SubjectCompatibilityNotConfigured,
      'defaultToGlobal',
    );
    expect(await registry.getCompatibility({ subject: 'users-value', defaultToGlobal: true })).toBe(
      'BACKWARD',
    );
  });

  it('sets, reads and removes global and per-subject levels, in any case', async () => {
    expect(await registry.setCompatibility('full_transitive')).toBe('FULL_TRANSITIVE');
    expect(await registry.getCompatibility({ subject: 's', defaultToGlobal: true })).toBe('FULL_TRANSITIVE');
    expect(await registry.setCompatibility('NONE', { subject: 's' })).toBe('NONE');
    expect(await registry.getCompatibility({ subject: 's' })).toBe('NONE');
    expect(await registry.deleteCompatibility({ subject: 's' })).toBe('NONE');
    await expectEddyError(
      registry.deleteCompatibility({ subject: 's' }),
      SchemaErrorCodes.SubjectCompatibilityNotConfigured,
    );
    expect(await registry.deleteCompatibility()).toBe('FULL_TRANSITIVE');
    expect(await registry.getCompatibility()).toBe('BACKWARD');
  });

  it('applies the subject level over the global one when registering', async () => {
    await registry.register('s', { schema: user });
    await expectEddyError(registry.register('s', { schema: other }), SchemaErrorCodes.IncompatibleSchema);
    await registry.setCompatibility('NONE', { subject: 's' });
    expect((await registry.register('s', { schema: other })).version).toBe(2);
  });

  it('refuses an unknown level, naming the valid ones', async () => {
    await expectEddyError(
      registry.setCompatibility('SIDEWAYS'),
      SchemaErrorCodes.InvalidCompatibilityLevel,
      'SIDEWAYS',
      'FULL_TRANSITIVE',
    );
    await expectEddyError(
      registry.setCompatibility(3, { subject: 's' }),
      SchemaErrorCodes.InvalidCompatibilityLevel,
    );
    expect(await registry.getCompatibility()).toBe('BACKWARD');
  });

  it('honours the configured default level', async () => {
    const none = createSchemaRegistry({ store: createMemorySchemaStore(), defaultCompatibility: 'NONE' });
    await none.register('s', { schema: user });
    expect((await none.register('s', { schema: other })).version).toBe(2);
  });
});

describe('modes', () => {
  it('defaults to READWRITE; a subject has no mode of its own unless asked to default to global', async () => {
    expect(await registry.getMode()).toBe('READWRITE');
    await expectEddyError(
      registry.getMode({ subject: 's' }),
      SchemaErrorCodes.SubjectModeNotConfigured,
      'defaultToGlobal',
    );
    expect(await registry.getMode({ subject: 's', defaultToGlobal: true })).toBe('READWRITE');
  });

  it('READONLY refuses registrations and level changes of that subject only', async () => {
    await registry.setMode('readonly', { subject: 's' });
    expect(await registry.getMode({ subject: 's' })).toBe('READONLY');
    await expectEddyError(
      registry.register('s', { schema: user }),
      SchemaErrorCodes.OperationNotPermitted,
      'READONLY',
    );
    await expectEddyError(
      registry.setCompatibility('NONE', { subject: 's' }),
      SchemaErrorCodes.OperationNotPermitted,
    );
    expect((await registry.register('t', { schema: user })).version).toBe(1);
    expect(await registry.deleteMode({ subject: 's' })).toBe('READONLY');
    expect((await registry.register('s', { schema: user })).version).toBe(1);
  });

  it('global READONLY applies to subjects without a mode of their own', async () => {
    await registry.setMode('READONLY');
    await registry.setMode('READWRITE', { subject: 'open' });
    await expectEddyError(registry.register('s', { schema: user }), SchemaErrorCodes.OperationNotPermitted);
    expect((await registry.register('open', { schema: user })).version).toBe(1);
    expect(await registry.deleteMode()).toBe('READONLY');
  });

  it('IMPORT registers with the given id and version, without compatibility checks, and keeps ids unique', async () => {
    await registry.setMode('IMPORT', { subject: 'imported' });
    const imported = await registry.register('imported', { schema: user, id: 100, version: 7 });
    expect(imported).toMatchObject({ id: 100, version: 7 });
    expect((await registry.register('imported', { schema: other, id: 101, version: 8 })).version).toBe(8);
    // Importing the same again is idempotent.
    expect(await registry.register('imported', { schema: user, id: 100, version: 7 })).toMatchObject({
      id: 100,
      version: 7,
    });
    await expectEddyError(
      registry.register('imported', { schema: JSON.stringify(record('X', [])), id: 100 }),
      SchemaErrorCodes.SchemaIdConflict,
      'id 100',
    );
    await expectEddyError(
      registry.register('imported', { schema: user }),
      SchemaErrorCodes.OperationNotPermitted,
      'Give an id',
    );
    await registry.deleteMode({ subject: 'imported' });
    // Ids assigned after an import go above it.
    expect((await registry.register('fresh', { schema: JSON.stringify(record('Y', [])) })).id).toBe(102);
  });

  it('refuses an id or a skipped version outside IMPORT mode', async () => {
    await expectEddyError(
      registry.register('s', { schema: user, id: 5 }),
      SchemaErrorCodes.OperationNotPermitted,
      'IMPORT',
    );
    await expectEddyError(
      registry.register('s', { schema: user, version: 3 }),
      SchemaErrorCodes.InvalidSchema,
      'one more',
    );
    expect((await registry.register('s', { schema: user, version: 1 })).version).toBe(1);
  });

  it('enters IMPORT only on an empty scope unless forced', async () => {
    await registry.register('s', { schema: user });
    await expectEddyError(
      registry.setMode('IMPORT', { subject: 's' }),
      SchemaErrorCodes.OperationNotPermitted,
      'force',
    );
    await expectEddyError(registry.setMode('IMPORT'), SchemaErrorCodes.OperationNotPermitted);
    expect(await registry.setMode('IMPORT', { subject: 's', force: true })).toBe('IMPORT');
  });

  it('refuses an unknown mode', async () => {
    await expectEddyError(
      registry.setMode('READ_SOMETIMES'),
      SchemaErrorCodes.InvalidMode,
      'READ_SOMETIMES',
      'IMPORT',
    );
    expect(await registry.getMode()).toBe('READWRITE');
  });
});
