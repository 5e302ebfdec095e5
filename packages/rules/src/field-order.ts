import type { FieldTest, ValuePattern } from './pattern-types.js';

/**
 * How cheaply, and how selectively, a compiled rule matcher can look a value test up: exact values
 * are one hash look-up that rules out almost every rule, anything-but rules out almost none.
 */
function patternRank(pattern: ValuePattern): number {
  switch (pattern.kind) {
    case 'string':
    case 'ip':
    case 'number':
    case 'literal':
      return 0;
    case 'equals-ignore-case':
      return 1;
    case 'prefix':
    case 'suffix':
      return 2;
    case 'range':
    case 'cidr':
      return 3;
    case 'wildcard':
      return 4;
    case 'exists':
      return 5;
    default:
      return 6;
  }
}

/** A field's rank is its least selective test; a field that only checks absence ranks with `exists`. */
function fieldRank(field: FieldTest): number {
  return field.patterns.reduce((rank, pattern) => Math.max(rank, patternRank(pattern)), field.absent ? 5 : 0);
}

function byName(a: FieldTest, b: FieldTest): number {
  if (a.dotted !== b.dotted) return a.dotted < b.dotted ? -1 : 1;
  const ak = JSON.stringify(a.path);
  const bk = JSON.stringify(b.path);
  return ak < bk ? -1 : ak > bk ? 1 : 0;
}

function bySelectivity(a: FieldTest, b: FieldTest): number {
  return fieldRank(a) - fieldRank(b) || a.path.length - b.path.length || byName(a, b);
}

/**
 * The order in which a branch's fields are evaluated, by both matchers.
 *
 * event-ruler walks a branch's fields sorted by their dotted names, and checks `exists: false`
 * only against leaves that are array-consistent with the leaves of the fields matched before it.
 * Eddy keeps that result and picks its own order, most selective tests first, so that the compiled
 * matcher shares and prunes states on hash look-ups: by kind of test, then top-level fields
 * (`type`, `source`: few values, named by most rules) before nested ones.
 *
 * The freedom comes from two facts. The order of the fields that test values does not change
 * the result, since every consistent combination of leaves is tried. And the leaves of two fields
 * can only sit in one array when their paths start with the same name (the event itself is an
 * object, not an array), so only for such pairs does an `exists: false` field need to keep its
 * place before or after a value field. Those pairs keep event-ruler's order; everything else is
 * free.
 */
export function orderFields(fields: readonly FieldTest[]): FieldTest[] {
  const byNameOrder = [...fields].sort(byName);
  const after: number[][] = byNameOrder.map(() => []);
  byNameOrder.forEach((first, i) => {
    for (let j = i + 1; j < byNameOrder.length; j++) {
      const second = byNameOrder[j]!;
      if ((first.absent || second.absent) && first.path[0] === second.path[0]) after[j]!.push(i);
    }
  });
  const placed = byNameOrder.map(() => false);
  const ordered: FieldTest[] = [];
  while (ordered.length < byNameOrder.length) {
    let next = -1;
    byNameOrder.forEach((field, i) => {
      if (placed[i] || !after[i]!.every((j) => placed[j])) return;
      if (next === -1 || bySelectivity(field, byNameOrder[next]!) < 0) next = i;
    });
    placed[next] = true;
    ordered.push(byNameOrder[next]!);
  }
  return ordered;
}
