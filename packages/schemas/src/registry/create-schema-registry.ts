import { checkCompatibility, type CompatibilityResult } from '../compatibility/check-compatibility.js';
import { SchemaNotFoundError, SubjectNotFoundError, VersionNotFoundError } from '../errors.js';
import type { StoredVersion } from '../schema-store.js';
import { SchemaTypes, type SchemaInput, type SubjectSchema } from '../types.js';
import { deleteSubject, deleteVersion } from './deletes.js';
import { register, toSubjectSchema } from './register.js';
import { checkSubject, checkVersion, RegistryContext } from './registry-context.js';
import type { SchemaRegistry, SchemaRegistryOptions, VersionSelector } from './schema-registry.js';
import {
  deleteCompatibility,
  deleteMode,
  getCompatibility,
  getMode,
  setCompatibility,
  setMode,
} from './settings.js';

/**
 * Creates the registry logic on a store. Several registries may share one store (one per gateway
 * process): the store's atomic id and version assignment keeps them consistent.
 */
export function createSchemaRegistry(options: SchemaRegistryOptions): SchemaRegistry {
  const ctx = new RegistryContext(options);

  const withSchema = async (version: StoredVersion): Promise<SubjectSchema> => {
    const stored = await ctx.store.getSchema(version.schemaId);
    if (stored === undefined) throw new SchemaNotFoundError(`Schema ${version.schemaId} not found.`);
    return toSubjectSchema(version, stored);
  };

  /** A subject's versions that count: live ones, or all when deleted ones were asked for. */
  const visibleVersions = async (subject: string, deleted: boolean): Promise<StoredVersion[]> => {
    const versions = (await ctx.store.listVersions(subject)).filter((version) => deleted || !version.deleted);
    if (versions.length === 0) throw new SubjectNotFoundError(subject);
    return versions;
  };

  const findVersion = async (
    subject: string,
    selector: VersionSelector,
    deleted: boolean,
  ): Promise<StoredVersion> => {
    const wanted = checkVersion(selector);
    const versions = await visibleVersions(subject, deleted);
    const found =
      wanted === 'latest'
        ? versions.filter((version) => !version.deleted).at(-1)
        : versions.find((version) => version.version === wanted);
    if (found === undefined) {
      if (wanted === 'latest') throw new SubjectNotFoundError(subject);
      throw new VersionNotFoundError(subject, wanted);
    }
    return found;
  };

  return {
    schemaTypes: () => [...SchemaTypes],

    register: (subject, input) => register(ctx, subject, input),

    async lookup(subjectName, input, lookupOptions = {}) {
      const subject = checkSubject(subjectName);
      const read = ctx.readInput(input);
      const versions = await visibleVersions(subject, lookupOptions.deleted === true);
      const schema = await ctx.store.findSchema(read.fingerprint);
      // Newest first: a schema registered, soft-deleted and registered again answers with its live version.
      const match =
        schema === undefined ? undefined : versions.findLast((version) => version.schemaId === schema.id);
      if (match === undefined || schema === undefined) {
        throw new SchemaNotFoundError(
          `Schema not found under subject "${subject}". Register it first, or check its type and references.`,
        );
      }
      return toSubjectSchema(match, schema);
    },

    async getSchemaById(id) {
      const schema = Number.isInteger(id) ? await ctx.store.getSchema(id) : undefined;
      if (schema === undefined || (await ctx.store.listVersionsOfSchema(id)).length === 0) {
        throw new SchemaNotFoundError(
          `Schema ${id} not found. Check the id, which may come from another registry.`,
        );
      }
      return { id, schemaType: schema.schemaType, schema: schema.schema, references: schema.references };
    },

    async getSchemaVersions(id, versionOptions = {}) {
      const versions = (await ctx.store.listVersionsOfSchema(id)).filter(
        (version) => versionOptions.deleted === true || !version.deleted,
      );
      if (versions.length === 0) throw new SchemaNotFoundError(`Schema ${id} not found.`);
      return versions.map(({ subject, version }) => ({ subject, version }));
    },

    async listSubjects(listOptions = {}) {
      const subjects = await ctx.store.listSubjects({ includeDeleted: listOptions.deleted === true });
      const prefix = listOptions.prefix;
      return prefix === undefined ? subjects : subjects.filter((subject) => subject.startsWith(prefix));
    },

    async listVersions(subject, listOptions = {}) {
      const versions = await visibleVersions(checkSubject(subject), listOptions.deleted === true);
      return versions.map((version) => version.version);
    },

    async getVersion(subject, version, getOptions = {}) {
      return withSchema(await findVersion(checkSubject(subject), version, getOptions.deleted === true));
    },

    async getReferencedBy(subject, version) {
      const found = await findVersion(checkSubject(subject), version, true);
      const referrers = await ctx.store.listReferrers(found.subject, found.version);
      return [
        ...new Set(referrers.filter((referrer) => !referrer.deleted).map((referrer) => referrer.schemaId)),
      ].sort((a, b) => a - b);
    },

    deleteVersion: (subject, version, deleteOptions = {}) =>
      deleteVersion(ctx, subject, version, deleteOptions.permanent === true),

    deleteSubject: (subject, deleteOptions = {}) =>
      deleteSubject(ctx, subject, deleteOptions.permanent === true),

    getCompatibility: (query = {}) => getCompatibility(ctx, query),
    setCompatibility: (compatibility, scope = {}) => setCompatibility(ctx, compatibility, scope.subject),
    deleteCompatibility: (scope = {}) => deleteCompatibility(ctx, scope.subject),
    getMode: (query = {}) => getMode(ctx, query),
    setMode: (mode, scope = {}) => setMode(ctx, mode, scope.subject, scope.force === true),
    deleteMode: (scope = {}) => deleteMode(ctx, scope.subject),

    async checkCompatibility(
      subjectName,
      input: SchemaInput,
      checkOptions = {},
    ): Promise<CompatibilityResult> {
      const subject = checkSubject(subjectName);
      const candidate = await ctx.parseInput(ctx.readInput(input));
      const level = await ctx.compatibilityOf(subject);
      const live = (await ctx.store.listVersions(subject)).filter((version) => !version.deleted);
      let against = live;
      if (checkOptions.version !== undefined) {
        const wanted = checkVersion(checkOptions.version);
        const found = wanted === 'latest' ? live.at(-1) : live.find((version) => version.version === wanted);
        if (found === undefined && wanted !== 'latest') throw new VersionNotFoundError(subject, wanted);
        against = found === undefined ? [] : [found];
      }
      return checkCompatibility(level, candidate, await ctx.parsedVersions(against));
    },

    getParsedSchema: (id) => ctx.parsedById(id),
  };
}
