import type { DiffContext } from './diff-context.js';
import { hasDefault, type JsonNode, type ObjectNode } from './schema-model.js';

const isFalse = (node: JsonNode | undefined): boolean => node?.kind === 'false';
const isEmpty = (node: JsonNode | undefined): boolean => node?.kind === 'empty' || node?.kind === 'true';

/**
 * Open: any extra property is allowed with any value (no additionalProperties schema, no pattern
 * properties, unevaluatedProperties absent or true). Adding a property to an open model is not
 * safe, as old data may already use that name for anything.
 */
export function isOpenObject(node: ObjectNode): boolean {
  if (node.additionalProperties !== true) return false;
  if (node.patternProperties.length > 0) return false;
  return node.unevaluatedProperties === undefined || isEmpty(node.unevaluatedProperties);
}

/** The schema an extra property named `name` must satisfy when the model is partially open. */
function partialSchemaFor(node: ObjectNode, name: string): JsonNode | undefined {
  for (const { pattern, schema } of node.patternProperties) {
    try {
      if (new RegExp(pattern, 'u').test(name)) return schema;
    } catch {
      continue;
    }
  }
  if (typeof node.additionalProperties !== 'boolean') return node.additionalProperties;
  if (node.additionalProperties && node.unevaluatedProperties !== undefined) {
    const unevaluated = node.unevaluatedProperties;
    if (!isFalse(unevaluated) && !isEmpty(unevaluated)) return unevaluated;
  }
  return undefined;
}

function compareBound(
  ctx: DiffContext,
  name: string,
  before: number | undefined,
  after: number | undefined,
  prefix: string,
): void {
  if (before === after) return;
  if (before === undefined) ctx.add(`${prefix}_ADDED`, name);
  else if (after === undefined) ctx.add(`${prefix}_REMOVED`, name);
  else if (before < after) ctx.add(`${prefix}_INCREASED`, name);
  else ctx.add(`${prefix}_DECREASED`, name);
}

export { compareBound };

export function compareObject(ctx: DiffContext, original: ObjectNode, update: ObjectNode): void {
  compareRequired(ctx, original, update);
  compareProperties(ctx, original, update);
  compareDependencies(ctx, original, update);
  compareAdditional(ctx, original, update);
  compareUnevaluated(ctx, original, update);
  compareBound(ctx, 'maxProperties', original.maxProperties, update.maxProperties, 'MAX_PROPERTIES');
  compareBound(ctx, 'minProperties', original.minProperties, update.minProperties, 'MIN_PROPERTIES');
}

function compareRequired(ctx: DiffContext, original: ObjectNode, update: ObjectNode): void {
  ctx.in('required', () => {
    for (const name of original.properties.keys()) {
      const updated = update.properties.get(name);
      if (updated === undefined) continue;
      const before = original.required.has(name);
      const after = update.required.has(name);
      if (before && !after) ctx.add('REQUIRED_ATTRIBUTE_REMOVED', name);
      else if (!before && after) {
        ctx.add(
          hasDefault(updated) ? 'REQUIRED_ATTRIBUTE_WITH_DEFAULT_ADDED' : 'REQUIRED_ATTRIBUTE_ADDED',
          name,
        );
      }
    }
  });
}

function compareProperties(ctx: DiffContext, original: ObjectNode, update: ObjectNode): void {
  ctx.in('properties', () => {
    const names = new Set([...original.properties.keys(), ...update.properties.keys()]);
    for (const name of names) {
      const before = original.properties.get(name);
      const after = update.properties.get(name);
      ctx.in(name, () => {
        if (after === undefined) {
          // Removing is safe only when the new model still accepts what the property held.
          if (isOpenObject(update)) {
            ctx.add('PROPERTY_REMOVED_FROM_OPEN_CONTENT_MODEL');
            return;
          }
          const partial = partialSchemaFor(update, name);
          if (partial !== undefined) {
            const sub = ctx.sub();
            sub.compare(before, partial);
            ctx.addAll(sub.differences);
            ctx.add(
              sub.isCompatible()
                ? 'PROPERTY_REMOVED_IS_COVERED_BY_PARTIALLY_OPEN_CONTENT_MODEL'
                : 'PROPERTY_REMOVED_NOT_COVERED_BY_PARTIALLY_OPEN_CONTENT_MODEL',
            );
            return;
          }
          ctx.add(
            isFalse(before)
              ? 'PROPERTY_WITH_FALSE_REMOVED_FROM_CLOSED_CONTENT_MODEL'
              : 'PROPERTY_REMOVED_FROM_CLOSED_CONTENT_MODEL',
          );
          return;
        }
        if (before === undefined) {
          addedProperty(ctx, original, update, name, after);
          return;
        }
        ctx.compare(before, after);
      });
    }
  });
}

/** A property only the new schema names: safe when old data cannot hold it, or held only what it allows. */
function addedProperty(
  ctx: DiffContext,
  original: ObjectNode,
  update: ObjectNode,
  name: string,
  after: JsonNode,
): void {
  const required = update.required.has(name);
  if (isOpenObject(original)) {
    if (isEmpty(after)) ctx.add('PROPERTY_WITH_EMPTY_SCHEMA_ADDED_TO_OPEN_CONTENT_MODEL');
    else if (required) {
      ctx.add(
        hasDefault(after)
          ? 'REQUIRED_PROPERTY_WITH_DEFAULT_ADDED_TO_OPEN_CONTENT_MODEL'
          : 'REQUIRED_PROPERTY_ADDED_TO_OPEN_CONTENT_MODEL',
      );
    } else ctx.add('OPTIONAL_PROPERTY_ADDED_TO_OPEN_CONTENT_MODEL');
    return;
  }
  const partial = partialSchemaFor(original, name);
  if (partial !== undefined) {
    const sub = ctx.sub();
    sub.compare(partial, after);
    ctx.addAll(sub.differences);
    ctx.add(
      sub.isCompatible()
        ? 'PROPERTY_ADDED_IS_COVERED_BY_PARTIALLY_OPEN_CONTENT_MODEL'
        : 'PROPERTY_ADDED_NOT_COVERED_BY_PARTIALLY_OPEN_CONTENT_MODEL',
    );
  }
  if (required) {
    ctx.add(
      hasDefault(after)
        ? 'REQUIRED_PROPERTY_WITH_DEFAULT_ADDED_TO_UNOPEN_CONTENT_MODEL'
        : 'REQUIRED_PROPERTY_ADDED_TO_UNOPEN_CONTENT_MODEL',
    );
  } else ctx.add('OPTIONAL_PROPERTY_ADDED_TO_UNOPEN_CONTENT_MODEL');
}

function compareDependencies(ctx: DiffContext, original: ObjectNode, update: ObjectNode): void {
  ctx.in('dependencies', () => {
    const names = new Set([...original.dependentRequired.keys(), ...update.dependentRequired.keys()]);
    for (const name of names) {
      const before = original.dependentRequired.get(name);
      const after = update.dependentRequired.get(name);
      ctx.in(name, () => {
        if (after === undefined) ctx.add('DEPENDENCY_ARRAY_REMOVED');
        else if (before === undefined) ctx.add('DEPENDENCY_ARRAY_ADDED');
        else {
          const b = new Set(before);
          const a = new Set(after);
          if (b.size === a.size && [...b].every((item) => a.has(item))) return;
          if ([...b].every((item) => a.has(item))) ctx.add('DEPENDENCY_ARRAY_EXTENDED');
          else if ([...a].every((item) => b.has(item))) ctx.add('DEPENDENCY_ARRAY_NARROWED');
          else ctx.add('DEPENDENCY_ARRAY_CHANGED');
        }
      });
    }
    const schemaNames = new Set([...original.dependentSchemas.keys(), ...update.dependentSchemas.keys()]);
    for (const name of schemaNames) {
      const before = original.dependentSchemas.get(name);
      const after = update.dependentSchemas.get(name);
      ctx.in(name, () => {
        if (after === undefined) ctx.add('DEPENDENCY_SCHEMA_REMOVED');
        else if (before === undefined) ctx.add('DEPENDENCY_SCHEMA_ADDED');
        else ctx.compare(before, after);
      });
    }
  });
}

function compareAdditional(ctx: DiffContext, original: ObjectNode, update: ObjectNode): void {
  ctx.in('additionalProperties', () => {
    const before = original.additionalProperties;
    const after = update.additionalProperties;
    const permitsBefore = before !== false;
    const permitsAfter = after !== false;
    if (permitsBefore !== permitsAfter)
      ctx.add(permitsAfter ? 'ADDITIONAL_PROPERTIES_ADDED' : 'ADDITIONAL_PROPERTIES_REMOVED');
    else if (before === true && typeof after === 'object') ctx.add('ADDITIONAL_PROPERTIES_NARROWED');
    else if (after === true && typeof before === 'object') ctx.add('ADDITIONAL_PROPERTIES_EXTENDED');
    else if (typeof before === 'object' && typeof after === 'object') ctx.compare(before, after);
  });
}

function compareUnevaluated(ctx: DiffContext, original: ObjectNode, update: ObjectNode): void {
  const before = original.unevaluatedProperties;
  const after = update.unevaluatedProperties;
  if (before === undefined && after === undefined) return;
  ctx.in('unevaluatedProperties', () => {
    if (before === undefined)
      ctx.add(isFalse(after) ? 'UNEVALUATED_PROPERTIES_REMOVED' : 'UNEVALUATED_PROPERTIES_NARROWED');
    else if (after === undefined)
      ctx.add(isFalse(before) ? 'UNEVALUATED_PROPERTIES_ADDED' : 'UNEVALUATED_PROPERTIES_EXTENDED');
    else if (isFalse(before) && !isFalse(after)) ctx.add('UNEVALUATED_PROPERTIES_ADDED');
    else if (!isFalse(before) && isFalse(after)) ctx.add('UNEVALUATED_PROPERTIES_REMOVED');
    else if (isEmpty(before) && !isEmpty(after)) ctx.add('UNEVALUATED_PROPERTIES_NARROWED');
    else if (!isEmpty(before) && isEmpty(after)) ctx.add('UNEVALUATED_PROPERTIES_EXTENDED');
    else ctx.compare(before, after);
  });
}
