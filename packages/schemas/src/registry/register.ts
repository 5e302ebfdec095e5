import { EddyError } from '@eddy/core';
import { checkCompatibility } from '../compatibility/check-compatibility.js';
import {
  IncompatibleSchemaError,
  InvalidSchemaError,
  InvalidVersionError,
  OperationNotPermittedError,
  SchemaIdConflictError,
} from '../errors.js';
import type { StoredVersion } from '../schema-store.js';
import type { ParsedSchema } from '../schema-parser.js';
import type { SubjectSchema } from '../types.js';
import { checkSubject, type ReadInput, type RegistryContext } from './registry-context.js';
import type { RegisterInput } from './schema-registry.js';

/** Rounds of "read, check, insert" before giving up when other registrations keep winning the race. */
const MAX_ATTEMPTS = 20;

export function toSubjectSchema(
  version: StoredVersion,
  input: Pick<ReadInput, 'schemaType' | 'schema' | 'references'>,
): SubjectSchema {
  return {
    subject: version.subject,
    version: version.version,
    id: version.schemaId,
    schemaType: input.schemaType,
    schema: input.schema,
    references: input.references,
    deleted: version.deleted,
  };
}

/**
 * Registers a schema under a subject. Optimistic: reads the subject, checks compatibility, then
 * inserts the next version; when another registration took that version first, it reads again and
 * re-checks against the version that won, so no version ever skips the check.
 */
export async function register(
  ctx: RegistryContext,
  subjectName: string,
  request: RegisterInput,
): Promise<SubjectSchema> {
  const subject = checkSubject(subjectName);
  const input = ctx.readInput(request);
  const mode = await ctx.modeOf(subject);
  checkRegisterMode(subject, mode, request);
  if (request.version !== undefined && (!Number.isInteger(request.version) || request.version < 1)) {
    throw new InvalidVersionError(request.version);
  }
  let parsed: ParsedSchema | undefined;
  for (let attempt = 0; attempt < MAX_ATTEMPTS; attempt++) {
    const versions = await ctx.store.listVersions(subject);
    const existing = await ctx.store.findSchema(input.fingerprint);
    if (existing !== undefined && (request.id === undefined || request.id === existing.id)) {
      const same = versions.find(
        (version) =>
          !version.deleted &&
          version.schemaId === existing.id &&
          (request.version === undefined || request.version === version.version),
      );
      // Answer with the text as stored: the same schema may have been spelled differently then.
      if (same !== undefined) return toSubjectSchema(same, existing);
    }
    parsed ??= existing === undefined ? await ctx.parseInput(input) : await ctx.parsedById(existing.id);
    if (mode !== 'IMPORT') {
      const level = await ctx.compatibilityOf(subject);
      const live = versions.filter((version) => !version.deleted);
      const result = checkCompatibility(level, parsed, await ctx.parsedVersions(live));
      if (!result.compatible)
        throw new IncompatibleSchemaError(`subject "${subject}" under ${level}`, result.messages);
    }
    const id = await storeSchema(ctx, input, request.id);
    ctx.remember(id, parsed);
    const next = versions.reduce((highest, version) => Math.max(highest, version.version), 0) + 1;
    let version = next;
    if (request.version !== undefined) {
      if (mode === 'IMPORT') {
        const taken = versions.find((candidate) => candidate.version === request.version);
        if (taken !== undefined) {
          if (taken.schemaId === id) return toSubjectSchema(taken, existing ?? input);
          throw new OperationNotPermittedError(
            `Version ${request.version} of subject "${subject}" holds schema id ${taken.schemaId}; an import never overwrites a version. Delete it first or import under another version.`,
          );
        }
      } else if (request.version !== next) {
        throw new InvalidSchemaError(
          `Version ${request.version} is not one more than the subject's latest version ${next - 1}. Omit the version, or register in IMPORT mode.`,
        );
      }
      version = request.version;
    }
    if (await ctx.store.addVersion({ subject, version, schemaId: id })) {
      await dropSupersededVersions(ctx, versions, id, version);
      return toSubjectSchema({ subject, version, schemaId: id, deleted: false }, existing ?? input);
    }
  }
  throw new EddyError(
    'EDDY_BACKEND',
    `Registering under subject "${subject}" lost the race for a version ${MAX_ATTEMPTS} times in a row. Retry.`,
    { retriable: true },
  );
}

function checkRegisterMode(subject: string, mode: string, request: RegisterInput): void {
  if (mode === 'READONLY') {
    throw new OperationNotPermittedError(
      `Subject "${subject}" is in READONLY mode. Set its mode to READWRITE to register.`,
    );
  }
  if (request.id !== undefined) {
    if (mode !== 'IMPORT') {
      throw new OperationNotPermittedError(
        `Subject "${subject}" is not in IMPORT mode; only an import may choose the schema id. Omit the id, or set the mode to IMPORT.`,
      );
    }
    if (!Number.isInteger(request.id) || request.id < 1) {
      throw new InvalidSchemaError(`Invalid schema id ${String(request.id)}: use a positive integer.`);
    }
  } else if (mode === 'IMPORT') {
    throw new OperationNotPermittedError(
      `Subject "${subject}" is in IMPORT mode, where every registration gives its id. Give an id, or set the mode to READWRITE.`,
    );
  }
}

async function storeSchema(ctx: RegistryContext, input: ReadInput, id: number | undefined): Promise<number> {
  const put = await ctx.store.putSchema(
    {
      schemaType: input.schemaType,
      schema: input.schema,
      references: input.references,
      fingerprint: input.fingerprint,
    },
    id === undefined ? {} : { id },
  );
  switch (put.outcome) {
    case 'created':
    case 'existing':
      return put.id;
    case 'id-taken':
      throw new SchemaIdConflictError(put.id, 'that id holds another schema');
    case 'stored-under-other-id':
      throw new SchemaIdConflictError(
        id ?? put.id,
        `the same schema is registered under id ${put.id}; import it with that id`,
      );
  }
}

/**
 * Re-registering a schema whose version was soft-deleted makes a new version; the soft-deleted
 * older ones with the same id are removed for good, as Confluent does, unless something references them.
 */
async function dropSupersededVersions(
  ctx: RegistryContext,
  versions: readonly StoredVersion[],
  id: number,
  version: number,
): Promise<void> {
  for (const old of versions) {
    if (!old.deleted || old.schemaId !== id || old.version >= version) continue;
    if ((await ctx.store.listReferrers(old.subject, old.version)).length > 0) continue;
    await ctx.store.deleteVersion(old.subject, old.version);
  }
}
