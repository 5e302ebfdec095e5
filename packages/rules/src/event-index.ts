import {
  collectLeaves,
  isInheritedName,
  isLeaf,
  ownValue,
  type ArrayElement,
  type Leaf,
} from './event-leaves.js';

/** The answer of a path reader when the path crosses an array: the general walk collects the leaves. */
const COMPLEX = Symbol('complex');

/** Reads the single leaf at one path, `undefined` when there is none, or COMPLEX. */
type PathReader = (event: object) => Leaf | undefined | typeof COMPLEX;

interface IndexedPath {
  readonly path: readonly string[];
  readonly read: PathReader;
  uses: number;
}

/**
 * The leaves an event has at each field some rule tests, each field known by a small id.
 *
 * A field is read only when the walk reaches a state that tests it, and once per event: with
 * rules that start on `type` or `source`, most of an event is never read. Each field has a reader
 * generated for its path, which reads each step by a constant name, so V8 caches every read for
 * the shape events have (a loop over names would make each read a generic look-up; with few
 * rules that was most of the cost of a match). Names enter the generated code only as
 * `JSON.stringify` literals. A path that crosses an array falls back to the general walk, which
 * records the array element of each leaf for array consistency. Leaves land in per-field buffers
 * reused from one event to the next, so reading allocates nothing without arrays of objects.
 */
export class EventIndex {
  readonly #ids = new Map<string, number>();
  readonly #paths: (IndexedPath | undefined)[] = [];
  readonly #free: number[] = [];
  #event: object = {};
  #call = 0;
  readonly #readIn: number[] = [];

  /** Leaf values per field id, valid after `read(id)` up to the count it returns. */
  readonly values: Leaf[][] = [];
  readonly elements: (ArrayElement | null)[][] = [];
  readonly #counts: number[] = [];

  /** Registers one more use of `path` and returns its id. */
  acquire(path: readonly string[]): number {
    const key = JSON.stringify(path);
    const known = this.#ids.get(key);
    if (known !== undefined) {
      this.#paths[known]!.uses++;
      return known;
    }
    const id = this.#free.pop() ?? this.#paths.length;
    this.#ids.set(key, id);
    this.#paths[id] = { path, read: generateReader(path), uses: 1 };
    this.values[id] ??= [];
    this.elements[id] ??= [];
    this.#counts[id] = 0;
    this.#readIn[id] = 0;
    return id;
  }

  /** Drops one use of `path`; a path no rule uses any more is forgotten. */
  release(path: readonly string[]): void {
    const key = JSON.stringify(path);
    const id = this.#ids.get(key);
    if (id === undefined || --this.#paths[id]!.uses > 0) return;
    this.#ids.delete(key);
    this.#paths[id] = undefined;
    this.#free.push(id);
  }

  /** Starts reading `event`: fields are read on demand from now on. */
  begin(event: object): void {
    this.#event = event;
    this.#call++;
  }

  /** The number of leaves of field `id` in the current event, after reading them if needed. */
  read(id: number): number {
    if (this.#readIn[id] === this.#call) return this.#counts[id]!;
    this.#readIn[id] = this.#call;
    const indexed = this.#paths[id]!;
    const leaf = indexed.read(this.#event);
    let count = 0;
    if (leaf === COMPLEX) {
      const values = this.values[id]!;
      const elements = this.elements[id]!;
      values.length = 0;
      elements.length = 0;
      collectLeaves(this.#event, indexed.path, 0, null, values, elements);
      count = values.length;
    } else if (leaf !== undefined) {
      this.values[id]![0] = leaf;
      this.elements[id]![0] = null;
      count = 1;
    }
    this.#counts[id] = count;
    return count;
  }
}

/**
 * `(v) => v["data"]["total"]` with the checks that make it safe: stop at anything that is not an
 * object (no leaf below a leaf), report COMPLEX at an array, and return only JSON leaves.
 */
function generateReader(path: readonly string[]): PathReader {
  const steps = path
    .map((name) => {
      const literal = JSON.stringify(name);
      return `if (typeof x !== 'object' || x === null || isView(x)) return undefined;
  if (isArray(x)) return complex;
  x = ${isInheritedName(name) ? `own(x, ${literal})` : `x[${literal}]`};`;
    })
    .join('\n  ');
  const body = `'use strict';
return function read(x) {
  ${steps}
  if (typeof x === 'object' && x !== null) return isArray(x) ? complex : undefined;
  return isLeaf(x) ? x : undefined;
};`;
  // Generated from field names written as JSON string literals only (see above).
  // eslint-disable-next-line @typescript-eslint/no-implied-eval
  const factory = new Function('isArray', 'isView', 'isLeaf', 'own', 'complex', body) as (
    isArray: (value: unknown) => boolean,
    isView: (value: unknown) => boolean,
    isLeaf: (value: unknown) => boolean,
    own: (object: object, name: string) => unknown,
    complex: typeof COMPLEX,
  ) => PathReader;
  return factory(Array.isArray, (value) => ArrayBuffer.isView(value), isLeaf, ownValue, COMPLEX);
}
