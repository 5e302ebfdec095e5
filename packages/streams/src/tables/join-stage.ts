import type { StreamRecord } from '../record.js';
import type { RecordMeta } from '../record.js';
import type { Scope } from '../engine/scope.js';
import type { Sink } from '../engine/stage.js';
import type { Table } from './table.js';

/** Options of `stream.join`. */
export interface JoinOptions<T> {
  /**
   * `'inner'` (default) drops values whose key has no row; `'left'` joins them with `undefined`.
   */
  readonly kind?: 'inner' | 'left';
  /** The key to look up. Default the record's key (`keyBy`, or the partition key). */
  readonly key?: (value: T, meta: RecordMeta) => string | undefined;
}

/** Looks each record's key up in `table` and emits what `joiner` makes of the value and the row. */
export function joinStage<T, Row, U>(
  table: Table<Row>,
  joiner: (value: T, row: Row | undefined, meta: RecordMeta) => U,
  options: JoinOptions<T>,
  emit: Sink,
): (record: StreamRecord<T>, scope: Scope) => void {
  const left = options.kind === 'left';
  return (record, scope) => {
    const key = options.key === undefined ? record.key : options.key(record.value, record);
    const row = key === undefined ? undefined : table.lookup(key, scope);
    if (row === undefined && !left) return;
    emit({ ...record, value: joiner(record.value, row, record) }, scope);
  };
}
