import { EddyError } from '@eddy/core';
import type {
  NewSchema,
  PutSchemaResult,
  SchemaStore,
  ScopeConfig,
  ScopeConfigUpdate,
  StoredSchema,
  StoredVersion,
} from '../schema-store.js';

/**
 * A `SchemaStore` in process memory, for tests and single-process apps. Every method runs to
 * completion without awaiting, so the atomic operations are atomic by construction.
 */
export function createMemorySchemaStore(): SchemaStore {
  const schemas = new Map<number, StoredSchema>();
  const byFingerprint = new Map<string, number>();
  const subjects = new Map<string, Map<number, StoredVersion>>();
  const configs = new Map<string | null, ScopeConfig>();
  let highestId = 0;
  let closed = false;

  const open = (): void => {
    if (closed)
      throw new EddyError(
        'EDDY_CLOSED',
        'The schema store is closed. Create a new one, or call this before close().',
      );
  };
  // A throw becomes a rejection; `work` never awaits, which keeps each call atomic.
  const run = <T>(work: () => T): Promise<T> =>
    new Promise<T>((resolve) => {
      open();
      resolve(work());
    });
  const versionsOf = (subject: string): StoredVersion[] =>
    [...(subjects.get(subject)?.values() ?? [])].sort((a, b) => a.version - b.version);
  const bySubjectThenVersion = (a: StoredVersion, b: StoredVersion): number =>
    a.subject === b.subject ? a.version - b.version : a.subject < b.subject ? -1 : 1;

  return {
    putSchema: (schema: NewSchema, options = {}) =>
      run((): PutSchemaResult => {
        const existing = byFingerprint.get(schema.fingerprint);
        if (options.id === undefined) {
          if (existing !== undefined) return { outcome: 'existing', id: existing };
          const id = ++highestId;
          schemas.set(id, { ...schema, references: [...schema.references], id });
          byFingerprint.set(schema.fingerprint, id);
          return { outcome: 'created', id };
        }
        const taken = schemas.get(options.id);
        if (taken !== undefined) {
          return taken.fingerprint === schema.fingerprint
            ? { outcome: 'existing', id: options.id }
            : { outcome: 'id-taken', id: options.id };
        }
        if (existing !== undefined) return { outcome: 'stored-under-other-id', id: existing };
        schemas.set(options.id, { ...schema, references: [...schema.references], id: options.id });
        byFingerprint.set(schema.fingerprint, options.id);
        highestId = Math.max(highestId, options.id);
        return { outcome: 'created', id: options.id };
      }),
    getSchema: (id) => run(() => schemas.get(id)),
    findSchema: (fingerprint) =>
      run(() => {
        const id = byFingerprint.get(fingerprint);
        return id === undefined ? undefined : schemas.get(id);
      }),
    addVersion: ({ subject, version, schemaId }) =>
      run(() => {
        let versions = subjects.get(subject);
        if (versions === undefined) {
          versions = new Map();
          subjects.set(subject, versions);
        }
        if (versions.has(version)) return false;
        versions.set(version, { subject, version, schemaId, deleted: false });
        return true;
      }),
    listVersions: (subject) => run(() => versionsOf(subject)),
    listSubjects: ({ includeDeleted }) =>
      run(() =>
        [...subjects.entries()]
          .filter(([, versions]) =>
            [...versions.values()].some((version) => includeDeleted || !version.deleted),
          )
          .map(([subject]) => subject)
          .sort(),
      ),
    listVersionsOfSchema: (id) =>
      run(() =>
        [...subjects.values()]
          .flatMap((versions) => [...versions.values()])
          .filter((version) => version.schemaId === id)
          .sort(bySubjectThenVersion),
      ),
    listReferrers: (subject, version) =>
      run(() =>
        [...subjects.values()]
          .flatMap((versions) => [...versions.values()])
          .filter((candidate) =>
            (schemas.get(candidate.schemaId)?.references ?? []).some(
              (reference) => reference.subject === subject && reference.version === version,
            ),
          )
          .sort(bySubjectThenVersion),
      ),
    softDeleteVersion: (subject, version) =>
      run(() => {
        const versions = subjects.get(subject);
        const found = versions?.get(version);
        if (versions === undefined || found === undefined || found.deleted) return false;
        versions.set(version, { ...found, deleted: true });
        return true;
      }),
    deleteVersion: (subject, version) =>
      run(() => {
        const versions = subjects.get(subject);
        if (versions === undefined || !versions.delete(version)) return false;
        if (versions.size === 0) subjects.delete(subject);
        return true;
      }),
    getConfig: (subject) => run(() => ({ ...configs.get(subject) })),
    updateConfig: (subject, update: ScopeConfigUpdate) =>
      run(() => {
        const next: { -readonly [K in keyof ScopeConfig]: ScopeConfig[K] } = { ...configs.get(subject) };
        if (update.compatibility === null) delete next.compatibility;
        else if (update.compatibility !== undefined) next.compatibility = update.compatibility;
        if (update.mode === null) delete next.mode;
        else if (update.mode !== undefined) next.mode = update.mode;
        if (next.compatibility === undefined && next.mode === undefined) configs.delete(subject);
        else configs.set(subject, next);
        return { ...next };
      }),
    close: () => {
      closed = true;
      return Promise.resolve();
    },
  };
}
