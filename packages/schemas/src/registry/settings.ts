import {
  OperationNotPermittedError,
  SubjectCompatibilityNotConfiguredError,
  SubjectModeNotConfiguredError,
} from '../errors.js';
import { toCompatibilityLevel, toMode, type CompatibilityLevel, type Mode } from '../types.js';
import { checkSubject, type RegistryContext } from './registry-context.js';
import type { ScopeQuery } from './schema-registry.js';

/** The subject, checked, or null for the registry-wide scope. */
const scopeOf = (subject: string | undefined): string | null =>
  subject === undefined ? null : checkSubject(subject);

async function refuseReadOnly(ctx: RegistryContext, scope: string | null): Promise<void> {
  const mode =
    scope === null ? ((await ctx.store.getConfig(null)).mode ?? ctx.defaultMode) : await ctx.modeOf(scope);
  if (mode === 'READONLY') {
    throw new OperationNotPermittedError(
      `${scope === null ? 'The registry' : `Subject "${scope}"`} is in READONLY mode. Set the mode to READWRITE to change its compatibility level.`,
    );
  }
}

export async function getCompatibility(ctx: RegistryContext, query: ScopeQuery): Promise<CompatibilityLevel> {
  const scope = scopeOf(query.subject);
  if (scope === null) return (await ctx.store.getConfig(null)).compatibility ?? ctx.defaultCompatibility;
  const own = (await ctx.store.getConfig(scope)).compatibility;
  if (own !== undefined) return own;
  if (query.defaultToGlobal === true) return ctx.compatibilityOf(scope);
  throw new SubjectCompatibilityNotConfiguredError(scope);
}

export async function setCompatibility(
  ctx: RegistryContext,
  value: unknown,
  subject: string | undefined,
): Promise<CompatibilityLevel> {
  const compatibility = toCompatibilityLevel(value);
  const scope = scopeOf(subject);
  await refuseReadOnly(ctx, scope);
  await ctx.store.updateConfig(scope, { compatibility });
  return compatibility;
}

export async function deleteCompatibility(
  ctx: RegistryContext,
  subject: string | undefined,
): Promise<CompatibilityLevel> {
  const scope = scopeOf(subject);
  const before = await getCompatibility(ctx, scope === null ? {} : { subject: scope });
  await refuseReadOnly(ctx, scope);
  await ctx.store.updateConfig(scope, { compatibility: null });
  return before;
}

export async function getMode(ctx: RegistryContext, query: ScopeQuery): Promise<Mode> {
  const scope = scopeOf(query.subject);
  if (scope === null) return (await ctx.store.getConfig(null)).mode ?? ctx.defaultMode;
  const own = (await ctx.store.getConfig(scope)).mode;
  if (own !== undefined) return own;
  if (query.defaultToGlobal === true) return ctx.modeOf(scope);
  throw new SubjectModeNotConfiguredError(scope);
}

export async function setMode(
  ctx: RegistryContext,
  value: unknown,
  subject: string | undefined,
  force: boolean,
): Promise<Mode> {
  const mode = toMode(value);
  const scope = scopeOf(subject);
  const current = scope === null ? await getMode(ctx, {}) : await ctx.modeOf(scope);
  if (mode === 'IMPORT' && current !== 'IMPORT' && !force) {
    // Importing keeps the ids and versions of another registry; live data here could clash.
    const live =
      scope === null
        ? (await ctx.store.listSubjects({ includeDeleted: false })).length > 0
        : (await ctx.store.listVersions(scope)).some((version) => !version.deleted);
    if (live) {
      throw new OperationNotPermittedError(
        `Cannot enter IMPORT mode: ${scope === null ? 'the registry has' : `subject "${scope}" has`} live schemas. Delete them, or pass force: true.`,
      );
    }
  }
  await ctx.store.updateConfig(scope, { mode });
  return mode;
}

export async function deleteMode(ctx: RegistryContext, subject: string | undefined): Promise<Mode> {
  const scope = scopeOf(subject);
  const before = await getMode(ctx, scope === null ? {} : { subject: scope });
  await ctx.store.updateConfig(scope, { mode: null });
  return before;
}
