/**
 * A name pattern as a regular expression: `*` matches any run of characters (dots included), every
 * other character stands for itself. The one glob dialect Eddy uses for event types and topics.
 */
export function globToRegExp(pattern: string): RegExp {
  const escaped = pattern.split('*').map((part) => part.replace(/[.+?^${}()|[\]\\]/g, '\\$&'));
  return new RegExp(`^${escaped.join('.*')}$`);
}

/** Whether a name is a pattern (holds a `*`) rather than a literal name. */
export function isGlob(name: string): boolean {
  return name.includes('*');
}
