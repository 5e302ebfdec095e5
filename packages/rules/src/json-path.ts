import { ownValue } from './event-leaves.js';

/** One step of a path: a field name, an array index, or `*` (every field or element). */
export type PathStep = { readonly name: string } | { readonly index: number } | { readonly all: true };

/** A compiled input path: the steps after `$`, and whether `*` makes it select many values. */
export interface JsonPath {
  readonly source: string;
  readonly steps: readonly PathStep[];
  readonly many: boolean;
}

const STEP = /\.([^.[\]]+)|\[(\d+|\*)\]/y;

/**
 * Parses the JSONPath subset EventBridge input paths use: `$`, then `.name`, `[index]`, `.*` or
 * `[*]` steps (`$.detail.items[0].sku`, `$.resources[*]`). Bracketed names (`['a b']`), filters,
 * slices and `..` are refused, as EventBridge asks for dot notation. Returns why it is invalid
 * otherwise.
 */
export function parseJsonPath(source: string): JsonPath | string {
  if (!source.startsWith('$')) return `"${source}" does not start with "$"; write e.g. "$.data.orderId"`;
  const steps: PathStep[] = [];
  STEP.lastIndex = 1;
  while (STEP.lastIndex < source.length) {
    const at = STEP.lastIndex;
    const match = STEP.exec(source);
    if (match === null) {
      return `"${source}" has an unsupported step at position ${at}; use ".name", "[index]", ".*" or "[*]"`;
    }
    const [, name, bracket] = match;
    if (name !== undefined) steps.push(name === '*' ? { all: true } : { name });
    else steps.push(bracket === '*' ? { all: true } : { index: Number(bracket) });
  }
  return { source, steps, many: steps.some((step) => 'all' in step) };
}

/**
 * The value `path` selects in `root`: the value itself, or undefined when the path leads nowhere.
 * A path with `*` selects an array of every value it reaches, or undefined when it reaches none.
 */
export function selectPath(path: JsonPath, root: unknown): unknown {
  if (!path.many) {
    let value = root;
    for (const step of path.steps) {
      value = stepInto(value, step);
      if (value === undefined) return undefined;
    }
    return value;
  }
  let values: unknown[] = [root];
  for (const step of path.steps) {
    const next: unknown[] = [];
    for (const value of values) {
      if ('all' in step) {
        if (Array.isArray(value)) {
          const elements: readonly unknown[] = value;
          next.push(...elements);
        } else if (typeof value === 'object' && value !== null)
          next.push(...Object.values(value as Readonly<Record<string, unknown>>));
      } else {
        const child = stepInto(value, step);
        if (child !== undefined) next.push(child);
      }
    }
    values = next;
  }
  return values.length === 0 ? undefined : values;
}

function stepInto(value: unknown, step: PathStep): unknown {
  if (typeof value !== 'object' || value === null) return undefined;
  if ('index' in step) return Array.isArray(value) ? (value as unknown[])[step.index] : undefined;
  if ('name' in step) return Array.isArray(value) ? undefined : ownValue(value, step.name);
  return undefined;
}
