import type { PendingOutput } from '../state-store.js';

const DELETED = Symbol('deleted');
/** Marks, in the undo log, a key the batch had no change for before the unit wrote it. */
const UNCHANGED = Symbol('unchanged');
type Change = unknown;

/**
 * The state of one pipeline in memory: what the store holds, as of the last successful commit.
 * Stages read it synchronously; a pipeline loads it whole when it starts.
 */
export type StateTable = Map<string, unknown>;

/**
 * The state changes and outputs of a unit of work: a batch of input events, or a clock tick. Each
 * input event runs as a unit within it (`beginUnit`, then `endUnit` or `dropUnit`): reads see the
 * batch's changes so far, then the table, and a unit that fails is dropped without touching the
 * others. Stages replace state values, never change them in place, which is what makes putting
 * back the values a unit replaced enough to undo it.
 *
 * A unit writes into the batch's changes directly and logs what each write replaced, rather than
 * collecting its writes apart and merging them: no map per input event.
 */
export class Scope {
  readonly #table: StateTable;
  /** The unit of work before this one while its commit is in flight: its changes are not in the table yet. */
  #base: Scope | undefined;
  readonly changes = new Map<string, Change>();
  readonly outputs: PendingOutput[] = [];
  #counters: Map<string, number> | undefined;
  #inUnit = false;
  /** Key, replaced change (or `UNCHANGED`), key, replaced change... of the unit in progress. */
  readonly #undo: unknown[] = [];
  #unitOutputs = 0;

  /** `base`: the unit of work before this one, if its commit has not finished (see `detach`). */
  constructor(table: StateTable, base?: Scope) {
    this.#table = table;
    this.#base = base;
  }

  get(key: string): unknown {
    const value = this.changes.get(key);
    if (value === undefined && !this.changes.has(key)) {
      return this.#base === undefined ? this.#table.get(key) : this.#base.get(key);
    }
    return value === DELETED ? undefined : value;
  }

  /** Reads the table from now on, not the base: the base's changes have reached the table. */
  detach(): void {
    this.#base = undefined;
  }

  set(key: string, value: unknown): void {
    this.#change(key, value);
  }

  delete(key: string): void {
    this.#change(key, DELETED);
  }

  #change(key: string, value: Change): void {
    if (this.#inUnit) {
      const before = this.changes.get(key);
      this.#undo.push(key, before === undefined && !this.changes.has(key) ? UNCHANGED : before);
    }
    this.changes.set(key, value);
  }

  output(output: PendingOutput): void {
    this.outputs.push(output);
  }

  /** 0, 1, 2... per `name` within the unit: tells apart several outputs one input made at one stage. */
  seq(name: string): number {
    this.#counters ??= new Map();
    const next = this.#counters.get(name) ?? 0;
    this.#counters.set(name, next + 1);
    return next;
  }

  /** Starts the unit of one input event. */
  beginUnit(): void {
    this.#inUnit = true;
    this.#undo.length = 0;
    this.#unitOutputs = this.outputs.length;
    this.#counters?.clear();
  }

  /** Keeps what the unit did. */
  endUnit(): void {
    this.#inUnit = false;
    this.#undo.length = 0;
  }

  /** Undoes what the unit did: its changes, newest first, and its outputs. */
  dropUnit(): void {
    const undo = this.#undo;
    for (let i = undo.length - 2; i >= 0; i -= 2) {
      const key = undo[i] as string;
      const before = undo[i + 1];
      if (before === UNCHANGED) this.changes.delete(key);
      else this.changes.set(key, before);
    }
    this.outputs.length = this.#unitOutputs;
    this.endUnit();
  }

  /** The changes as a store commit's puts and deletes. */
  split(): { puts: { key: string; value: unknown }[]; deletes: string[] } {
    const puts: { key: string; value: unknown }[] = [];
    const deletes: string[] = [];
    for (const [key, value] of this.changes) {
      if (value === DELETED) deletes.push(key);
      else puts.push({ key, value });
    }
    return { puts, deletes };
  }

  /** Applies the changes to `table`: the state table once they are committed, or a copy of it. */
  applyTo(table: StateTable): void {
    for (const [key, value] of this.changes) {
      if (value === DELETED) table.delete(key);
      else table.set(key, value);
    }
  }
}
