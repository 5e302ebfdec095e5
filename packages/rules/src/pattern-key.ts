import type { FieldTest, ValuePattern } from './pattern-types.js';

/** A string equal for two value tests exactly when they match the same values. */
export function patternKey(pattern: ValuePattern): string {
  switch (pattern.kind) {
    case 'string':
    case 'ip':
    case 'equals-ignore-case':
    case 'wildcard':
    case 'cidr':
      return `${pattern.kind}:${JSON.stringify(pattern.value)}`;
    case 'number':
      // 0 and -0 are one number to event-ruler; JSON.stringify writes both as 0.
      return `number:${JSON.stringify(pattern.value)}`;
    case 'literal':
      return `literal:${String(pattern.value)}`;
    case 'prefix':
    case 'suffix':
      return `${pattern.kind}${pattern.ignoreCase ? '/i' : ''}:${JSON.stringify(pattern.value)}`;
    case 'range':
      return `range:${pattern.loOpen ? '(' : '['}${pattern.lo},${pattern.hi}${pattern.hiOpen ? ')' : ']'}`;
    case 'exists':
      return 'exists';
    case 'not-strings':
    case 'not-equals-ignore-case':
      return `${pattern.kind}:${JSON.stringify([...pattern.values].sort())}`;
    case 'not-numbers':
      return `not-numbers:${JSON.stringify([...pattern.values].map((n) => (n === 0 ? 0 : n)).sort((a, b) => a - b))}`;
    case 'not-prefix':
    case 'not-suffix':
    case 'not-wildcard':
      return `${pattern.kind}:${JSON.stringify([...new Set(pattern.values)].sort())}`;
  }
}

/** A string equal for two field tests exactly when they test the same field the same way. */
export function fieldKey(field: FieldTest): string {
  return `${JSON.stringify(field.path)}${field.absent ? '!' : ''}${field.patterns
    .map(patternKey)
    .sort()
    .join('|')}`;
}
