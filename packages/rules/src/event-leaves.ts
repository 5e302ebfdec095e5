/** A value a pattern can test: the leaves of a JSON event. Objects and arrays are walked through. */
export type Leaf = string | number | boolean | null;

/**
 * True for the values patterns test. Numbers must be finite (JSON has no others); `undefined`,
 * functions, bigints and the like are not JSON and count as absent.
 */
export function isLeaf(value: unknown): value is Leaf {
  switch (typeof value) {
    case 'string':
    case 'boolean':
      return true;
    case 'number':
      return Number.isFinite(value);
    default:
      return value === null;
  }
}

/**
 * The array element a leaf sits in, when the element is an object or an array, with the element
 * that one sits in, and so on outwards. event-ruler refuses to combine, in one match, leaves from
 * different elements of the same array ("array consistency"); these chains are how both matchers
 * tell. Leaves outside arrays of objects have no chain (`null`), the common case, which costs
 * nothing.
 */
export interface ArrayElement {
  /** The array itself: its identity tells arrays apart. */
  readonly array: readonly unknown[];
  readonly index: number;
  readonly parent: ArrayElement | null;
  /** Number of enclosing elements, this one included. */
  readonly depth: number;
}

/** True when two leaves may be part of one match: no array holds them in different elements. */
export function sameElements(a: ArrayElement | null, b: ArrayElement | null): boolean {
  if (a === null || b === null || a === b) return true;
  // Chains are paths in the tree of arrays, so align them by depth and walk out together: the
  // first array they share decides, and everything outside it is shared too.
  while (a.depth > b.depth) a = a.parent!;
  while (b.depth > a.depth) b = b.parent!;
  let x: ArrayElement | null = a;
  let y: ArrayElement | null = b;
  while (x !== null && y !== null) {
    if (x === y) return true;
    if (x.array === y.array) return x.index === y.index;
    x = x.parent;
    y = y.parent;
  }
  return true;
}

/** The elements the leaves chosen so far sit in, as a list that grows by sharing its tail. */
export interface Constraints {
  readonly element: ArrayElement;
  readonly next: Constraints | null;
}

/** True when a leaf in `element` may join the leaves that produced `constraints`. */
export function fits(constraints: Constraints | null, element: ArrayElement | null): boolean {
  if (element === null) return true;
  for (let c = constraints; c !== null; c = c.next) if (!sameElements(c.element, element)) return false;
  return true;
}

/** `constraints` with a leaf in `element` added (no allocation when the leaf adds nothing). */
export function withElement(
  constraints: Constraints | null,
  element: ArrayElement | null,
): Constraints | null {
  return element === null ? constraints : { element, next: constraints };
}

/**
 * Collects the leaves at `path` below `value`, with the element each sits in. An array anywhere
 * on the way contributes each of its elements; a leaf in an array of leaves sits in the same
 * element as the array itself, as in event-ruler.
 */
export function collectLeaves(
  value: unknown,
  path: readonly string[],
  depth: number,
  element: ArrayElement | null,
  values: Leaf[],
  elements: (ArrayElement | null)[],
): void {
  if (Array.isArray(value)) {
    const array: readonly unknown[] = value;
    for (let i = 0; i < array.length; i++) {
      const item = array[i];
      if (typeof item === 'object' && item !== null) {
        const inner: ArrayElement = { array, index: i, parent: element, depth: (element?.depth ?? 0) + 1 };
        collectLeaves(item, path, depth, inner, values, elements);
      } else if (depth === path.length && isLeaf(item)) {
        values.push(item);
        elements.push(element);
      }
    }
    return;
  }
  if (depth === path.length) {
    if (isLeaf(value)) {
      values.push(value);
      elements.push(element);
    }
    return;
  }
  if (typeof value !== 'object' || value === null || ArrayBuffer.isView(value)) return;
  const child = readProperty(value, path[depth]!);
  if (child !== undefined) collectLeaves(child, path, depth + 1, element, values, elements);
}

/** Names every plain object answers without having them (`constructor`, `__proto__`, `toString`...). */
const INHERITED: ReadonlySet<string> = new Set(Object.getOwnPropertyNames(Object.prototype));

/** True when reading `name` needs `ownValue` rather than a plain property read. */
export function isInheritedName(name: string): boolean {
  return INHERITED.has(name);
}

/** `object[name]` when it is the object's own property, so `constructor` or `__proto__` never leak in. */
export function ownValue(object: object, name: string): unknown {
  return Object.prototype.hasOwnProperty.call(object, name)
    ? (Object.getOwnPropertyDescriptor(object, name)?.value as unknown)
    : undefined;
}

/** The field `name` of an event object: a plain read unless the name is one objects inherit. */
export function readProperty(object: object, name: string): unknown {
  return INHERITED.has(name) ? ownValue(object, name) : (object as Readonly<Record<string, unknown>>)[name];
}
