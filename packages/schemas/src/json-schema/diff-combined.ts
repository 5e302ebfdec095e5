import type { DiffContext, Difference } from './diff-context.js';
import { valueKey, type CombinedNode, type JsonNode } from './schema-model.js';

const isSum = (node: CombinedNode): boolean => node.criterion === 'anyOf' || node.criterion === 'oneOf';
const isSingleton = (node: CombinedNode): boolean => node.subschemas.length === 1;

/** Drops subschemas written twice, as a set would. */
function distinct(subschemas: readonly JsonNode[]): JsonNode[] {
  const seen = new Set<string>();
  return subschemas.filter((node) => {
    const key = 'raw' in node ? valueKey(node.raw) : node.kind;
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}

/**
 * allOf/anyOf/oneOf against the same: the keyword may only widen (to anyOf, or between singletons),
 * and the old subschemas must pair up one to one with compatible new ones (a maximum bipartite
 * matching, so the order of subschemas does not matter).
 */
export function compareCombined(ctx: DiffContext, original: CombinedNode, update: CombinedNode): void {
  if (original.criterion !== update.criterion) {
    const widened =
      update.criterion === 'anyOf' ||
      (isSingleton(original) && isSingleton(update)) ||
      (isSingleton(original) && update.criterion === 'oneOf') ||
      (isSingleton(update) && original.criterion === 'allOf');
    if (!widened) {
      ctx.add('COMBINED_TYPE_CHANGED');
      return;
    }
    ctx.add('COMBINED_TYPE_EXTENDED');
  }
  const before = distinct(original.subschemas);
  const after = distinct(update.subschemas);
  if (before.length < after.length)
    ctx.add(update.criterion === 'allOf' ? 'PRODUCT_TYPE_EXTENDED' : 'SUM_TYPE_EXTENDED');
  else if (before.length > after.length)
    ctx.add(isSum(original) ? 'SUM_TYPE_NARROWED' : 'PRODUCT_TYPE_NARROWED');

  // edges[i] holds, for old subschema i, the new subschemas it is compatible with and the findings.
  const edges: Map<number, readonly Difference[]>[] = before.map((node, index) => {
    const compatible = new Map<number, readonly Difference[]>();
    ctx.in(`${original.criterion}/${index}`, () => {
      after.forEach((candidate, candidateIndex) => {
        const sub = ctx.sub();
        sub.compare(node, candidate);
        if (sub.isCompatible()) compatible.set(candidateIndex, sub.differences);
      });
    });
    return compatible;
  });
  const matchOfNew = new Map<number, number>();
  const augment = (oldIndex: number, visited: Set<number>): boolean => {
    for (const newIndex of edges[oldIndex]!.keys()) {
      if (visited.has(newIndex)) continue;
      visited.add(newIndex);
      const holder = matchOfNew.get(newIndex);
      if (holder === undefined || augment(holder, visited)) {
        matchOfNew.set(newIndex, oldIndex);
        return true;
      }
    }
    return false;
  };
  before.forEach((_, index) => augment(index, new Set()));
  for (const [newIndex, oldIndex] of matchOfNew) ctx.addAll(edges[oldIndex]!.get(newIndex)!);
  if (matchOfNew.size < Math.min(before.length, after.length)) ctx.add('COMBINED_TYPE_SUBSCHEMAS_CHANGED');
}
