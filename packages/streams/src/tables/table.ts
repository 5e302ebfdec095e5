import type { Scope } from '../engine/scope.js';

/**
 * A table to join streams with: the latest row per key. Rows come from a topic the pipeline reads
 * (`pipeline.table`, kept in the state store, so they survive restarts like any other state) or
 * from a lookup into a read model the application keeps (`lookupTable`, e.g. a projection's).
 */
export interface Table<Row> {
  readonly name: string;
  /** @internal The row under `key`, as the unit of work in `scope` sees it. */
  readonly lookup: (key: string, scope: Scope) => Row | undefined;
}

/**
 * A table read from a read model the application keeps up to date, such as a projection's:
 * `get(key)` returns the row under `key`, or `undefined`. It is called synchronously while a unit of
 * work runs, so keep the read model in memory (a `Map` the projection fills); its rows are not
 * part of the pipeline's state, and a restart joins with whatever the read model holds then.
 */
export function lookupTable<Row>(name: string, get: (key: string) => Row | undefined): Table<Row> {
  return { name, lookup: (key) => get(key) };
}
