import { isInheritedName, isLeaf, ownValue, type ArrayElement, type Leaf } from './event-leaves.js';

interface PathNode {
  readonly name: string;
  /** The name is one every object inherits, so it is read as an own property only. */
  readonly guarded: boolean;
  /** The id of the field ending here, or -1 when no rule tests a leaf here. */
  id: number;
  names: string[];
  children: PathNode[];
  /** The same children by name, for events with fewer keys than the node has children. */
  byName: Map<string, PathNode>;
}

/** Above this many children, walking the event's keys beats looking each child up. */
const LOOKUP_LIMIT = 8;

function node(name: string): PathNode {
  return { name, guarded: isInheritedName(name), id: -1, names: [], children: [], byName: new Map() };
}

/**
 * The fields some rule tests, each with a small id, and the leaves an event has at each of them.
 *
 * Only fields a rule names are read: the event is walked along a tree of those paths, so parts of
 * the event no rule looks at cost nothing (event-ruler skips them the same way). The leaves land in
 * per-field buffers reused from one event to the next, so indexing allocates only for arrays of
 * objects (one record per element).
 */
export class EventIndex {
  readonly #ids = new Map<string, { id: number; uses: number }>();
  readonly #paths: (readonly string[] | undefined)[] = [];
  readonly #free: number[] = [];
  #root: PathNode = node('');
  #stale = false;

  /** Leaf values per field id, valid for the last `index` call up to `counts[id]`. */
  readonly values: Leaf[][] = [];
  readonly elements: (ArrayElement | null)[][] = [];
  readonly counts: number[] = [];
  readonly #touched: number[] = [];

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
    for (const id of touched) this.counts[id] = 0;
    touched.length = 0;
    if (this.#stale) this.#rebuild();
    this.#visit(this.#root, event, null);
  }

  #rebuild(): void {
    const root = node('');
    this.#paths.forEach((path, id) => {
      if (path === undefined) return;
      let current = root;
      for (const name of path) {
        let child = current.byName.get(name);
        if (child === undefined) {
          child = node(name);
          current.byName.set(name, child);
          current.names.push(name);
          current.children.push(child);
        }
        current = child;
      }
      current.id = id;
    });
    this.#root = root;
    this.#stale = false;
  }

  #record(id: number, value: Leaf, element: ArrayElement | null): void {
    const count = this.counts[id]!;
    if (count === 0) this.#touched.push(id);
    this.values[id]![count] = value;
    this.elements[id]![count] = element;
    this.counts[id] = count + 1;
  }

  #visit(at: PathNode, value: unknown, element: ArrayElement | null): void {
    if (typeof value !== 'object' || value === null) {
      if (at.id !== -1 && isLeaf(value)) this.#record(at.id, value, element);
      return;
    }
    if (Array.isArray(value)) {
      const array: readonly unknown[] = value;
      for (let i = 0; i < array.length; i++) {
        const item = array[i];
        if (typeof item !== 'object' || item === null) {
          if (at.id !== -1 && isLeaf(item)) this.#record(at.id, item, element);
        } else if (at.children.length > 0 || Array.isArray(item)) {
          const depth = element === null ? 1 : element.depth + 1;
          this.#visit(at, item, { array, index: i, parent: element, depth });
        }
      }
      return;
    }
    const children = at.children;
    if (children.length === 0 || ArrayBuffer.isView(value)) return;
    const object = value as Readonly<Record<string, unknown>>;
    if (children.length > LOOKUP_LIMIT) {
      for (const name in object) {
        const child = at.byName.get(name);
        if (child !== undefined && Object.prototype.hasOwnProperty.call(object, name)) {
          this.#visit(child, child.guarded ? ownValue(object, name) : object[name], element);
        }
      }
      return;
    }
    for (let i = 0; i < children.length; i++) {
      const child = children[i]!;
      const next = child.guarded ? ownValue(object, child.name) : object[child.name];
      if (next !== undefined) this.#visit(child, next, element);
    }
  }
}
