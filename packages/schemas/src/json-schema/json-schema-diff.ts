import type { Incompatibility } from '../parsed-schema.js';
import { COMPATIBLE_CHANGES, reasonFor } from './change-kinds.js';
import { compareArray } from './diff-array.js';
import { compareCombined } from './diff-combined.js';
import { DiffContext, renderPath, type Difference, type DiffShared } from './diff-context.js';
import { compareBound, compareObject } from './diff-object.js';
import type { ParsedJsonSchema } from './parse-json-schema.js';
import {
  metaOf,
  SchemaModelLoader,
  type JsonNode,
  type NumberNode,
  type StringNode,
} from './schema-model.js';

/**
 * Lists what breaks when data valid under `writer` is read under `reader`: every change from the
 * old schema to the new one that lets the new one reject a document the old one accepted.
 * Confluent's rules, written by hand because no JavaScript library compares JSON Schemas.
 */
export function jsonSchemaIncompatibilities(
  reader: ParsedJsonSchema,
  writer: ParsedJsonSchema,
): Incompatibility[] {
  return jsonSchemaDifferences(writer, reader)
    .filter((difference) => !COMPATIBLE_CHANGES.has(difference.kind))
    .map((difference) => ({
      kind: difference.kind,
      path: renderPath(difference.path),
      message: reasonFor(difference.kind),
    }));
}

/** Every change from `original` to `update`, compatible or not (for tests and tooling). */
export function jsonSchemaDifferences(original: ParsedJsonSchema, update: ParsedJsonSchema): Difference[] {
  const rootOf = (schema: ParsedJsonSchema): JsonNode => {
    const loader = new SchemaModelLoader(schema.refSiblings, (ref, base) =>
      schema.documents.resolve(ref, base),
    );
    return loader.load(schema.json, schema.documents.rootBase);
  };
  const shared: DiffShared = { compare, deref, inProgress: new Set(), memo: new Map(), truncations: 0 };
  const ctx = new DiffContext(shared);
  ctx.compare(rootOf(original), rootOf(update));
  return ctx.differences;
}

const ids = new WeakMap<object, number>();
let nextId = 0;
const idOf = (node: JsonNode): number => {
  let id = ids.get(node);
  if (id === undefined) {
    id = nextId++;
    ids.set(node, id);
  }
  return id;
};

function deref(node: JsonNode): JsonNode {
  let current = node;
  // A chain of $refs ends within as many hops as there are refs; the bound guards a ref loop.
  for (let hops = 0; current.kind === 'ref' && hops < 64; hops++) current = current.target();
  return current;
}

/** Compares one pair through a memo keyed by the pair, so shared definitions are walked once. */
function compare(ctx: DiffContext, original: JsonNode | undefined, update: JsonNode | undefined): void {
  if (original === undefined && update === undefined) return;
  if (original === undefined) return ctx.add('SCHEMA_ADDED');
  if (update === undefined) return ctx.add('SCHEMA_REMOVED');
  const o = ctx.shared.deref(original);
  const u = ctx.shared.deref(update);
  const key = `${idOf(o)}:${idOf(u)}`;
  const shared = ctx.shared;
  const memoized = shared.memo.get(key);
  if (memoized !== undefined) return ctx.addRebased(memoized);
  if (shared.inProgress.has(key)) {
    // A recursive schema met itself: assume the pair compatible here; the outer walk reports
    // whatever differs.
    shared.truncations++;
    return;
  }
  shared.inProgress.add(key);
  const truncationsBefore = shared.truncations;
  const sub = new DiffContext(shared);
  try {
    compareTypes(sub, o, u);
  } finally {
    shared.inProgress.delete(key);
  }
  if (shared.truncations === truncationsBefore) shared.memo.set(key, sub.differences);
  ctx.addRebased(sub.differences);
}

const sameShape = (a: JsonNode, b: JsonNode): boolean => a.kind === b.kind;

function compareTypes(ctx: DiffContext, original: JsonNode, update: JsonNode): void {
  if (original.kind !== 'combined' && update.kind === 'combined') {
    // The new schema became a union (or a one-member combination): fine if one member takes the old.
    if (update.subschemas.length === 1) {
      const sub = ctx.sub();
      sub.compare(original, update.subschemas[0]);
      if (sub.isCompatible()) return ctx.addAll(sub.differences);
    } else if (update.criterion !== 'allOf') {
      for (const member of update.subschemas) {
        const sub = ctx.sub();
        sub.compare(original, member);
        if (sub.isCompatible()) {
          ctx.addAll(sub.differences);
          return ctx.add('SUM_TYPE_EXTENDED');
        }
      }
    }
  } else if (original.kind === 'combined' && update.kind !== 'combined') {
    // The old schema was an intersection: fine if one of its members alone is accepted by the new.
    if (original.subschemas.length === 1) {
      const sub = ctx.sub();
      sub.compare(original.subschemas[0], update);
      if (sub.isCompatible()) return ctx.addAll(sub.differences);
    } else if (original.criterion === 'allOf') {
      for (const member of original.subschemas) {
        const sub = ctx.sub();
        sub.compare(member, update);
        if (sub.isCompatible()) {
          ctx.addAll(sub.differences);
          return ctx.add('PRODUCT_TYPE_NARROWED');
        }
      }
    }
  }
  if (!sameShape(original, update)) {
    if (original.kind === 'false' || update.kind === 'empty' || update.kind === 'true') return;
    if (connectBytes(original) && connectBytes(update)) return;
    return ctx.add('TYPE_CHANGED');
  }
  const before = metaOf(original);
  const after = metaOf(update);
  if (before.id !== after.id) ctx.add('ID_CHANGED');
  if (before.title !== after.title) ctx.add('TITLE_CHANGED');
  if (before.description !== after.description) ctx.add('DESCRIPTION_CHANGED');
  if (before.default !== after.default) ctx.add('DEFAULT_CHANGED');
  switch (original.kind) {
    case 'string':
      return compareString(ctx, original, update as StringNode);
    case 'number':
      return compareNumber(ctx, original, update as NumberNode);
    case 'const':
      if (original.value !== (update as typeof original).value) ctx.add('ENUM_ARRAY_CHANGED', 'const');
      return;
    case 'enum': {
      const next = new Set((update as typeof original).values);
      const previous = new Set(original.values);
      if (previous.size === next.size && [...previous].every((value) => next.has(value))) return;
      if ([...previous].every((value) => next.has(value))) ctx.add('ENUM_ARRAY_EXTENDED', 'enum');
      else if ([...next].every((value) => previous.has(value))) ctx.add('ENUM_ARRAY_NARROWED', 'enum');
      else ctx.add('ENUM_ARRAY_CHANGED', 'enum');
      return;
    }
    case 'combined':
      return compareCombined(ctx, original, update as typeof original);
    case 'not':
      return ctx.in('not', () => {
        // `not` flips the direction: the new negated schema must accept less than the old one did.
        const sub = ctx.sub();
        sub.compare((update as typeof original).schema, original.schema);
        ctx.add(sub.isCompatible() ? 'NOT_TYPE_NARROWED' : 'NOT_TYPE_EXTENDED');
      });
    case 'object':
      return compareObject(ctx, original, update as typeof original);
    case 'array':
      return compareArray(ctx, original, update as typeof original);
    default:
      return;
  }
}

/** Kafka Connect marks byte fields `connect.type: bytes` under several JSON types; they read alike. */
function connectBytes(node: JsonNode): boolean {
  return 'raw' in node && (node.raw as Record<string, unknown>)['connect.type'] === 'bytes';
}

function compareString(ctx: DiffContext, original: StringNode, update: StringNode): void {
  compareBound(ctx, 'maxLength', original.maxLength, update.maxLength, 'MAX_LENGTH');
  compareBound(ctx, 'minLength', original.minLength, update.minLength, 'MIN_LENGTH');
  if (original.pattern === update.pattern) return;
  if (original.pattern === undefined) ctx.add('PATTERN_ADDED', 'pattern');
  else if (update.pattern === undefined) ctx.add('PATTERN_REMOVED', 'pattern');
  else ctx.add('PATTERN_CHANGED', 'pattern');
}

function compareNumber(ctx: DiffContext, original: NumberNode, update: NumberNode): void {
  compareBound(ctx, 'maximum', original.maximum, update.maximum, 'MAXIMUM');
  compareBound(ctx, 'minimum', original.minimum, update.minimum, 'MINIMUM');
  compareBound(
    ctx,
    'exclusiveMaximum',
    original.exclusiveMaximum,
    update.exclusiveMaximum,
    'EXCLUSIVE_MAXIMUM',
  );
  compareBound(
    ctx,
    'exclusiveMinimum',
    original.exclusiveMinimum,
    update.exclusiveMinimum,
    'EXCLUSIVE_MINIMUM',
  );
  const before = original.multipleOf;
  const after = update.multipleOf;
  if (before !== after) {
    if (before === undefined) ctx.add('MULTIPLE_OF_ADDED', 'multipleOf');
    else if (after === undefined) ctx.add('MULTIPLE_OF_REMOVED', 'multipleOf');
    else if (before !== 0 && isMultiple(after, before)) ctx.add('MULTIPLE_OF_EXPANDED', 'multipleOf');
    else if (after !== 0 && isMultiple(before, after)) ctx.add('MULTIPLE_OF_REDUCED', 'multipleOf');
    else ctx.add('MULTIPLE_OF_CHANGED', 'multipleOf');
  }
  if (original.integer !== update.integer) ctx.add(original.integer ? 'TYPE_EXTENDED' : 'TYPE_NARROWED');
}

/** Whether `value` is a whole multiple of `step`, with decimal steps (0.1) handled exactly enough. */
function isMultiple(value: number, step: number): boolean {
  const ratio = value / step;
  return Math.abs(ratio - Math.round(ratio)) < 1e-9;
}
