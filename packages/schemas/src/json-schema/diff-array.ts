import type { DiffContext } from './diff-context.js';
import { compareBound } from './diff-object.js';
import type { ArrayNode, JsonNode } from './schema-model.js';

const isFalse = (node: JsonNode | undefined): boolean => node?.kind === 'false';
const isEmpty = (node: JsonNode | undefined): boolean => node?.kind === 'empty' || node?.kind === 'true';

/** Open: positions past the tuple take any item (additional items allowed without a schema). */
function isOpenArray(node: ArrayNode): boolean {
  if (node.additionalItems !== true) return false;
  return node.unevaluatedItems === undefined || isEmpty(node.unevaluatedItems);
}

function partialSchema(node: ArrayNode): JsonNode | undefined {
  if (typeof node.additionalItems !== 'boolean') return node.additionalItems;
  if (node.additionalItems && node.unevaluatedItems !== undefined) {
    if (!isFalse(node.unevaluatedItems) && !isEmpty(node.unevaluatedItems)) return node.unevaluatedItems;
  }
  return undefined;
}

export function compareArray(ctx: DiffContext, original: ArrayNode, update: ArrayNode): void {
  ctx.in('items', () => ctx.compare(original.items, update.items));
  compareTuple(ctx, original, update);
  compareAdditional(ctx, original, update);
  compareUnevaluated(ctx, original, update);
  compareBound(ctx, 'maxItems', original.maxItems, update.maxItems, 'MAX_ITEMS');
  compareBound(ctx, 'minItems', original.minItems, update.minItems, 'MIN_ITEMS');
  if (original.uniqueItems !== update.uniqueItems) {
    ctx.add(original.uniqueItems ? 'UNIQUE_ITEMS_REMOVED' : 'UNIQUE_ITEMS_ADDED', 'uniqueItems');
  }
  compareBound(ctx, 'maxContains', original.maxContains, update.maxContains, 'MAX_CONTAINS');
  compareBound(ctx, 'minContains', original.minContains, update.minContains, 'MIN_CONTAINS');
}

function compareTuple(ctx: DiffContext, original: ArrayNode, update: ArrayNode): void {
  const length = Math.max(original.tuple.length, update.tuple.length);
  for (let index = 0; index < length; index++) {
    const before = original.tuple[index];
    const after = update.tuple[index];
    ctx.in(`items/${index}`, () => {
      if (before !== undefined && after !== undefined) {
        ctx.compare(before, after);
      } else if (before !== undefined) {
        if (isOpenArray(update)) return ctx.add('ITEM_REMOVED_FROM_OPEN_CONTENT_MODEL');
        const partial = partialSchema(update);
        if (partial !== undefined) {
          const sub = ctx.sub();
          sub.compare(before, partial);
          ctx.addAll(sub.differences);
          ctx.add(
            sub.isCompatible()
              ? 'ITEM_REMOVED_IS_COVERED_BY_PARTIALLY_OPEN_CONTENT_MODEL'
              : 'ITEM_REMOVED_NOT_COVERED_BY_PARTIALLY_OPEN_CONTENT_MODEL',
          );
          return;
        }
        ctx.add(
          isFalse(before)
            ? 'ITEM_WITH_FALSE_REMOVED_FROM_CLOSED_CONTENT_MODEL'
            : 'ITEM_REMOVED_FROM_CLOSED_CONTENT_MODEL',
        );
      } else if (after !== undefined) {
        if (isOpenArray(original)) {
          return ctx.add(
            isEmpty(after)
              ? 'ITEM_WITH_EMPTY_SCHEMA_ADDED_TO_OPEN_CONTENT_MODEL'
              : 'ITEM_ADDED_TO_OPEN_CONTENT_MODEL',
          );
        }
        const partial = partialSchema(original);
        if (partial !== undefined) {
          const sub = ctx.sub();
          sub.compare(partial, after);
          ctx.addAll(sub.differences);
          ctx.add(
            sub.isCompatible()
              ? 'ITEM_ADDED_IS_COVERED_BY_PARTIALLY_OPEN_CONTENT_MODEL'
              : 'ITEM_ADDED_NOT_COVERED_BY_PARTIALLY_OPEN_CONTENT_MODEL',
          );
          return;
        }
        ctx.add('ITEM_ADDED_TO_CLOSED_CONTENT_MODEL');
      }
    });
  }
}

function compareAdditional(ctx: DiffContext, original: ArrayNode, update: ArrayNode): void {
  ctx.in('additionalItems', () => {
    const before = original.additionalItems;
    const after = update.additionalItems;
    if ((before !== false) !== (after !== false))
      ctx.add(before !== false ? 'ADDITIONAL_ITEMS_REMOVED' : 'ADDITIONAL_ITEMS_ADDED');
    else if (before === true && typeof after === 'object') ctx.add('ADDITIONAL_ITEMS_NARROWED');
    else if (after === true && typeof before === 'object') ctx.add('ADDITIONAL_ITEMS_EXTENDED');
    else if (typeof before === 'object' && typeof after === 'object') ctx.compare(before, after);
  });
}

function compareUnevaluated(ctx: DiffContext, original: ArrayNode, update: ArrayNode): void {
  const before = original.unevaluatedItems;
  const after = update.unevaluatedItems;
  if (before === undefined && after === undefined) return;
  ctx.in('unevaluatedItems', () => {
    if (before === undefined)
      ctx.add(isFalse(after) ? 'UNEVALUATED_ITEMS_REMOVED' : 'UNEVALUATED_ITEMS_NARROWED');
    else if (after === undefined)
      ctx.add(isFalse(before) ? 'UNEVALUATED_ITEMS_ADDED' : 'UNEVALUATED_ITEMS_EXTENDED');
    else if (isFalse(before) && !isFalse(after)) ctx.add('UNEVALUATED_ITEMS_ADDED');
    else if (!isFalse(before) && isFalse(after)) ctx.add('UNEVALUATED_ITEMS_REMOVED');
    else if (isEmpty(before) && !isEmpty(after)) ctx.add('UNEVALUATED_ITEMS_NARROWED');
    else if (!isEmpty(before) && isEmpty(after)) ctx.add('UNEVALUATED_ITEMS_EXTENDED');
    else ctx.compare(before, after);
  });
}
