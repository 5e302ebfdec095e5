import { isInheritedName, isLeaf, ownValue, type ArrayElement, type Leaf } from './event-leaves.js';

/** Writes the leaves at one path into `values` and `elements` and returns how many there are. */
type PathReader = (event: object, values: Leaf[], elements: (ArrayElement | null)[]) => number;

interface IndexedPath {
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
 * `JSON.stringify` literals. Leaves land in per-field buffers reused from one event to the next,
 * so reading allocates only for arrays of objects (one `ArrayElement` per element).
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
    this.#paths[id] = { read: generateReader(path), uses: 1 };
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
    const count = this.#paths[id]!.read(this.#event, this.values[id]!, this.elements[id]!);
    this.#counts[id] = count;
    return count;
  }
}

/**
 * The reader of one path, as one function per depth: `s0` gets the event, `s1` the value of the
 * first step, and so on. Each stops at anything that is not an object (no leaf below a leaf),
 * walks the elements of an array (a new `ArrayElement` for each object or array element, which
 * array consistency needs), and reads its step from an object; the last one records JSON leaves.
 * The same rules as `collectLeaves` in event-leaves.ts, which the single-pattern matcher uses.
 */
function generateReader(path: readonly string[]): PathReader {
  const levels = path.map((name, depth) => {
    const literal = JSON.stringify(name);
    const read = isInheritedName(name) ? `own(x, ${literal})` : `x[${literal}]`;
    return `function s${depth}(x, e) {
  if (typeof x !== 'object' || x === null) return;
  if (isArray(x)) { each(x, e, s${depth}, false); return; }
  if (isView(x)) return;
  const c = ${read};
  if (c !== undefined) s${depth + 1}(c, e);
}`;
  });
  const last = path.length;
  const body = `'use strict';
let V, E, N;
function record(x, e) { if (isLeaf(x)) { V[N] = x; E[N] = e; N++; } }
function each(x, e, next, leaves) {
  for (let i = 0; i < x.length; i++) {
    const y = x[i];
    if (typeof y === 'object' && y !== null) {
      next(y, e === null ? { array: x, index: i, parent: null, depth: 1 } : { array: x, index: i, parent: e, depth: e.depth + 1 });
    } else if (leaves) {
      record(y, e);
    }
  }
}
${levels.join('\n')}
function s${last}(x, e) {
  if (typeof x !== 'object' || x === null) { record(x, e); return; }
  if (isArray(x)) each(x, e, s${last}, true);
}
return function read(event, values, elements) {
  V = values; E = elements; N = 0;
  s0(event, null);
  V = undefined; E = undefined;
  return N;
};`;
  // Generated from field names written as JSON string literals only (see above).
  // eslint-disable-next-line @typescript-eslint/no-implied-eval
  const factory = new Function('isArray', 'isView', 'isLeaf', 'own', body) as (
    isArray: (value: unknown) => boolean,
    isView: (value: unknown) => boolean,
    isLeaf: (value: unknown) => boolean,
    own: (object: object, name: string) => unknown,
  ) => PathReader;
  return factory(Array.isArray, (value) => ArrayBuffer.isView(value), isLeaf, ownValue);
}
