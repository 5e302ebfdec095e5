/**
 * A parsed wildcard value: the literal text between its stars, so "star, /lib/, star, .jar" has
 * the parts "", "/lib/" and ".jar". The first part must start the value, the last must end it,
 * the others appear in between in order. A value without a star has one part.
 */
export interface Glob {
  readonly parts: readonly string[];
  /** Sum of the parts' lengths: a shorter value cannot match. */
  readonly minLength: number;
}

/**
 * Parses an EventBridge wildcard value, or returns why it is invalid. As in event-ruler, `*` matches
 * any run of characters (also none), `\*` is a literal star and `\\` a literal backslash; two stars
 * in a row and a backslash before anything else are refused.
 */
export function parseGlob(source: string): Glob | string {
  const parts: string[] = [];
  let current = '';
  for (let i = 0; i < source.length; i++) {
    const char = source[i]!;
    if (char === '*') {
      if (source[i + 1] === '*')
        return `two consecutive "*" at position ${i}; one "*" already matches any run of characters`;
      parts.push(current);
      current = '';
    } else if (char === '\\') {
      const next = source[i + 1];
      if (next !== '*' && next !== '\\') {
        return `"\\" at position ${i} escapes neither "*" nor "\\"; write "\\\\" for a backslash`;
      }
      current += next;
      i++;
    } else {
      current += char;
    }
  }
  parts.push(current);
  return { parts, minLength: parts.reduce((sum, part) => sum + part.length, 0) };
}

/**
 * True when `value` matches `glob`. Greedy left-to-right search of the middle parts is exact for
 * patterns whose only operator is `*`, and never backtracks, so a hostile pattern costs at most
 * one pass per part.
 */
export function matchesGlob(glob: Glob, value: string): boolean {
  const { parts } = glob;
  const last = parts.length - 1;
  if (last === 0) return value === parts[0];
  if (value.length < glob.minLength) return false;
  const head = parts[0]!;
  const tail = parts[last]!;
  if (!value.startsWith(head) || !value.endsWith(tail)) return false;
  let position = head.length;
  const end = value.length - tail.length;
  for (let i = 1; i < last; i++) {
    const part = parts[i]!;
    const found = value.indexOf(part, position);
    if (found === -1 || found + part.length > end) return false;
    position = found + part.length;
  }
  return true;
}
