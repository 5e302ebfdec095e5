import type { PendingOutput } from '../state-store.js';

const DELETED = Symbol('deleted');
type Change = unknown;

/**
 * The state of one pipeline in memory: what the store holds, as of the last successful commit.
 * Stages read it synchronously; a pipeline loads it whole when it starts.
 */
export type StateTable = Map<string, unknown>;

/**
 * One unit of work (an input event, or a clock tick) with the state changes and outputs it made.
 * Reads see this unit's own changes first, then those of the batch it belongs to, then the table;
 * a unit that fails is dropped without touching the others. Stages replace state values, never
 * change them in place, which is what makes dropping a unit enough to undo it.
 */
export class Scope {
  readonly #table: StateTable;
  readonly #parent: Scope | undefined;
  readonly changes = new Map<string, Change>();
  readonly outputs: PendingOutput[] = [];
  readonly #counters = new Map<string, number>();

  constructor(table: StateTable, parent?: Scope) {
    this.#table = table;
    this.#parent = parent;
  }

  get(key: string): unknown {
    if (this.changes.has(key)) {
      const value = this.changes.get(key);
      return value === DELETED ? undefined : value;
    }
    return this.#parent === undefined ? this.#table.get(key) : this.#parent.get(key);
  }

  set(key: string, value: unknown): void {
    this.changes.set(key, value);
  }

  delete(key: string): void {
    this.changes.set(key, DELETED);
  }

  output(output: PendingOutput): void {
    this.outputs.push(output);
  }

  /** 0, 1, 2... per `name` within this unit: tells apart several outputs one input made at one stage. */
  seq(name: string): number {
    const next = this.#counters.get(name) ?? 0;
    this.#counters.set(name, next + 1);
    return next;
  }

  /** Moves this unit's changes and outputs into `target` (its batch). */
  mergeInto(target: Scope): void {
    for (const [key, value] of this.changes) target.changes.set(key, value);
    target.outputs.push(...this.outputs);
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

  /** Applies the changes to the table, once they are committed. */
  applyTo(table: StateTable): void {
    for (const [key, value] of this.changes) {
      if (value === DELETED) table.delete(key);
      else table.set(key, value);
    }
  }
}
