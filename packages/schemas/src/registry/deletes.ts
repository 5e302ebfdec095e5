import {
  OperationNotPermittedError,
  SchemaReferencedError,
  SubjectNotFoundError,
  SubjectNotSoftDeletedError,
  SubjectSoftDeletedError,
  VersionNotFoundError,
  VersionNotSoftDeletedError,
  VersionSoftDeletedError,
} from '../errors.js';
import type { StoredVersion } from '../schema-store.js';
import { checkSubject, checkVersion, type RegistryContext } from './registry-context.js';
import type { VersionSelector } from './schema-registry.js';

async function refuseReadOnly(ctx: RegistryContext, subject: string): Promise<void> {
  if ((await ctx.modeOf(subject)) === 'READONLY') {
    throw new OperationNotPermittedError(
      `Subject "${subject}" is in READONLY mode. Set its mode to READWRITE to delete.`,
    );
  }
}

/** Ids of schemas that reference the version, counting soft-deleted referrers only for a permanent delete. */
async function referrersOf(
  ctx: RegistryContext,
  version: StoredVersion,
  permanent: boolean,
  ignoreSubject?: string,
): Promise<number[]> {
  const referrers = await ctx.store.listReferrers(version.subject, version.version);
  return [
    ...new Set(
      referrers
        .filter((referrer) => (permanent || !referrer.deleted) && referrer.subject !== ignoreSubject)
        .map((referrer) => referrer.schemaId),
    ),
  ];
}

/** When a subject loses its last version for good, its own settings go too, as in Confluent. */
async function forgetIfEmpty(ctx: RegistryContext, subject: string): Promise<void> {
  if ((await ctx.store.listVersions(subject)).length === 0) {
    await ctx.store.updateConfig(subject, { compatibility: null, mode: null });
  }
}

export async function deleteVersion(
  ctx: RegistryContext,
  subjectName: string,
  selector: VersionSelector,
  permanent: boolean,
): Promise<number> {
  const subject = checkSubject(subjectName);
  const wanted = checkVersion(selector);
  const versions = await ctx.store.listVersions(subject);
  if (versions.length === 0) throw new SubjectNotFoundError(subject);
  const target =
    wanted === 'latest'
      ? versions.filter((version) => !version.deleted).at(-1)
      : versions.find((version) => version.version === wanted);
  if (target === undefined) {
    if (wanted === 'latest') throw new SubjectNotFoundError(subject);
    throw new VersionNotFoundError(subject, wanted);
  }
  if (!permanent && target.deleted) throw new VersionSoftDeletedError(subject, target.version);
  await refuseReadOnly(ctx, subject);
  const referrers = await referrersOf(ctx, target, permanent);
  if (referrers.length > 0) throw new SchemaReferencedError(subject, target.version, referrers);
  if (permanent) {
    if (!target.deleted) throw new VersionNotSoftDeletedError(subject, target.version);
    await ctx.store.deleteVersion(subject, target.version);
    await forgetIfEmpty(ctx, subject);
  } else {
    await ctx.store.softDeleteVersion(subject, target.version);
  }
  return target.version;
}

export async function deleteSubject(
  ctx: RegistryContext,
  subjectName: string,
  permanent: boolean,
): Promise<number[]> {
  const subject = checkSubject(subjectName);
  await refuseReadOnly(ctx, subject);
  const versions = await ctx.store.listVersions(subject);
  if (versions.length === 0) throw new SubjectNotFoundError(subject);
  const live = versions.filter((version) => !version.deleted);
  if (!permanent && live.length === 0) throw new SubjectSoftDeletedError(subject);
  const targets = permanent ? versions : live;
  for (const version of targets) {
    // References between versions of the subject itself do not hold it back.
    const referrers = await referrersOf(ctx, version, permanent, subject);
    if (referrers.length > 0) throw new SchemaReferencedError(subject, version.version, referrers);
  }
  if (permanent && live.length > 0) throw new SubjectNotSoftDeletedError(subject);
  if (permanent) {
    // Newest first, so versions referencing older ones of the same subject go before them.
    for (const version of [...targets].reverse()) await ctx.store.deleteVersion(subject, version.version);
    await forgetIfEmpty(ctx, subject);
  } else {
    for (const version of targets) await ctx.store.softDeleteVersion(subject, version.version);
  }
  return targets.map((version) => version.version);
}
