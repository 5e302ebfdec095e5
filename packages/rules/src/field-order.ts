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

function fieldRank(field: FieldTest): number {
  return field.patterns.reduce((rank, pattern) => Math.max(rank, patternRank(pattern)), 0);
}

function byName(a: FieldTest, b: FieldTest): number {
  if (a.dotted !== b.dotted) return a.dotted < b.dotted ? -1 : 1;
  const ak = JSON.stringify(a.path);
  const bk = JSON.stringify(b.path);
  return ak < bk ? -1 : ak > bk ? 1 : 0;
}

/**
 * The order in which a branch's fields are evaluated, by both matchers.
 *
 * event-ruler walks a branch's fields sorted by their dotted names, and checks `exists: false`
 * only against leaf values that are array-consistent with the fields matched before it. The order
 * of the other fields does not change the result (every consistent combination is tried), so
 * between two `exists: false` fields Eddy puts the most selective tests first, which lets the
 * compiled matcher share and prune states on hash look-ups: by kind of test, then top-level
 * fields (`type`, `source`: few values, named by most rules) before nested ones. Each
 * `exists: false` field keeps its place, so it sees the same earlier fields as in event-ruler.
 */
export function orderFields(fields: readonly FieldTest[]): FieldTest[] {
  const sorted = [...fields].sort(byName);
  const ordered: FieldTest[] = [];
  let segment: FieldTest[] = [];
  const flush = (): void => {
    segment.sort((a, b) => fieldRank(a) - fieldRank(b) || a.path.length - b.path.length || byName(a, b));
    ordered.push(...segment);
    segment = [];
  };
  for (const field of sorted) {
    if (field.absent) {
      flush();
      ordered.push(field);
    } else {
      segment.push(field);
    }
  }
  flush();
  return ordered;
}
