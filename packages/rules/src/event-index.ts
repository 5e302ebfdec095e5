import { isInheritedName, isLeaf, ownValue, type ArrayElement, type Leaf } from './event-leaves.js';

interface PathNode {
  /** The id of the field ending here, or -1 when no rule tests a leaf here. */
  id: number;
  readonly children: Map<string, PathNode>;
}

/** Reads the leaves below one event value into the index: the generated walker. */
type Walker = (value: unknown, element: ArrayElement | null) => void;

/** What the generated walker calls back into. */
interface WalkerHelpers {
  readonly record: (id: number, value: Leaf, element: ArrayElement | null) => void;
  readonly isLeaf: (value: unknown) => boolean;
  readonly own: (object: object, name: string) => unknown;
}

/** Above this many children a node walks the event's keys (`for...in`) instead of naming each child. */
const NAMED_LIMIT = 64;

/**
 * The fields some rule tests, each with a small id, and the leaves an event has at each of them.
 *
 * Only fields a rule names are read: the event is walked along a tree of those paths, so parts of
 * the event no rule looks at cost nothing (event-ruler skips them the same way). The walk is
 * generated code, one function per tree node reading each child by a constant name: V8 then
 * caches each read for the shape events have, where a loop over names would make every read a
 * generic look-up (most of the cost of a match with few rules). Names enter the code only as
 * `JSON.stringify` literals. The leaves land in per-field buffers reused from one event to the
 * next, so indexing allocates only for arrays of objects (one record per element).
 */
export class EventIndex {
  readonly #ids = new Map<string, { id: number; uses: number }>();
  readonly #paths: (readonly string[] | undefined)[] = [];
  readonly #free: number[] = [];
  #walker: Walker = () => undefined;
  #stale = false;

  /** Leaf values per field id, valid for the last `index` call up to `counts[id]`. */
  readonly values: Leaf[][] = [];
  readonly elements: (ArrayElement | null)[][] = [];
  readonly counts: number[] = [];
  readonly #touched: number[] = [];
  #touchedCount = 0;
  readonly #helpers: WalkerHelpers = {
    record: (id, value, element) => {
      const count = this.counts[id]!;
      if (count === 0) this.#touched[this.#touchedCount++] = id;
      this.values[id]![count] = value;
      this.elements[id]![count] = element;
      this.counts[id] = count + 1;
    },
    isLeaf,
    own: ownValue,
  };

  /** Registers one more use of `path` and returns its id. */
  acquire(path: readonly string[]): number {
    const key = JSON.stringify(path);
    const known = this.#ids.get(key);
    if (known !== undefined) {
      known.uses++;
      return known.id;
    }
    const id = this.#free.pop() ?? this.#paths.length;
    this.#ids.set(key, { id, uses: 1 });
    this.#paths[id] = path;
    this.values[id] ??= [];
    this.elements[id] ??= [];
    this.counts[id] = 0;
    this.#stale = true;
    return id;
  }

  /** Drops one use of `path`; a path no rule uses any more is no longer read. */
  release(path: readonly string[]): void {
    const key = JSON.stringify(path);
    const known = this.#ids.get(key);
    if (known === undefined || --known.uses > 0) return;
    this.#ids.delete(key);
    this.#paths[known.id] = undefined;
    this.#free.push(known.id);
    this.#stale = true;
  }

  /** Reads the leaves of every registered field from `event`. */
  index(event: object): void {
    const touched = this.#touched;
    for (let i = 0; i < this.#touchedCount; i++) this.counts[touched[i]!] = 0;
    this.#touchedCount = 0;
    if (this.#stale) {
      this.#walker = generateWalker(this.#tree(), this.#helpers);
      this.#stale = false;
    }
    this.#walker(event, null);
  }

  #tree(): PathNode {
    const root: PathNode = { id: -1, children: new Map() };
    this.#paths.forEach((path, id) => {
      if (path === undefined) return;
      let current = root;
      for (const name of path) {
        let child = current.children.get(name);
        if (child === undefined) {
          child = { id: -1, children: new Map() };
          current.children.set(name, child);
        }
        current = child;
      }
      current.id = id;
    });
    return root;
  }
}

/**
 * One function per node. Given the value at the node's path, it records a leaf there, walks each
 * element of an array (a new `ArrayElement` for each object or array element, as array
 * consistency needs), or reads each child field of an object.
 */
function generateWalker(root: PathNode, helpers: WalkerHelpers): Walker {
  const functions: string[] = [];
  const tables: string[] = [];
  const emit = (node: PathNode): string => {
    const name = `n${functions.length}`;
    functions.push('');
    const childCalls: string[] = [];
    const byName: string[] = [];
    for (const [field, child] of node.children) {
      const literal = JSON.stringify(field);
      const target = emit(child);
      if (node.children.size > NAMED_LIMIT) byName.push(`[${literal}, ${target}]`);
      else {
        const read = isInheritedName(field) ? `own(v, ${literal})` : `v[${literal}]`;
        childCalls.push(`c = ${read}; if (c !== undefined) ${target}(c, e);`);
      }
    }
    const hasChildren = node.children.size > 0;
    const recordLeaf = (variable: string): string =>
      node.id === -1 ? '' : `if (isLeaf(${variable})) record(${node.id}, ${variable}, e);`;
    const element =
      'e === null ? { array: v, index: i, parent: null, depth: 1 } : { array: v, index: i, parent: e, depth: e.depth + 1 }';
    let objects = `let c; ${childCalls.join(' ')}`;
    if (byName.length > 0) {
      tables.push(`const t${name} = new Map([${byName.join(', ')}]);`);
      objects = `for (const k in v) { const f = t${name}.get(k); if (f !== undefined && hasOwn(v, k)) f(own(v, k), e); }`;
    }
    functions[Number(name.slice(1))] = `function ${name}(v, e) {
  if (typeof v !== 'object' || v === null) { ${recordLeaf('v')} return; }
  if (isArray(v)) {
    for (let i = 0; i < v.length; i++) {
      const x = v[i];
      if (typeof x !== 'object' || x === null) { ${recordLeaf('x')} }
      else if (${hasChildren ? 'true' : 'isArray(x)'}) ${name}(x, ${element});
    }
    return;
  }
  ${hasChildren ? `if (isView(v)) return; ${objects}` : ''}
}`;
    return name;
  };
  const start = emit(root);
  const body = `'use strict';
const { record, isLeaf, own } = helpers;
const isArray = Array.isArray;
const isView = ArrayBuffer.isView;
const hasOwn = (o, k) => Object.prototype.hasOwnProperty.call(o, k);
${functions.join('\n')}
${tables.join('\n')}
return ${start};`;
  // Generated from field names written as JSON string literals and numeric ids only (see above).
  // eslint-disable-next-line @typescript-eslint/no-implied-eval
  const factory = new Function('helpers', body) as (helpers: WalkerHelpers) => Walker;
  return factory(helpers);
}
