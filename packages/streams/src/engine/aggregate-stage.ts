import type { Aggregation } from '../aggregations.js';
import type { StreamRecord } from '../record.js';
import type { Scope } from './scope.js';
import type { Sink, StageRegistry } from './stage.js';
import { stateKeys } from './state-keys.js';

/** The running result of a keyed aggregation. */
export interface KeyedResult<R> {
  readonly key: string;
  readonly value: R;
}

/** A keyed aggregation without windows: one accumulator per key, a result after each value. */
export function aggregateStage<T, A, R>(
  registry: StageRegistry,
  aggregation: Aggregation<T, A, R>,
  name: string | undefined,
  emit: Sink,
): (record: StreamRecord<T>, scope: Scope) => void {
  const prefix = registry.addStateful({
    name: name ?? registry.nextName('aggregate'),
    restore: () => undefined,
  });
  const stateKeyOf = stateKeys(prefix);
  return (record, scope) => {
    const key = record.key ?? '';
    const stateKey = stateKeyOf(key);
    const before = scope.get(stateKey) as A | undefined;
    const accumulator = aggregation.add(before === undefined ? aggregation.init() : before, record.value);
    scope.set(stateKey, accumulator);
    const result: KeyedResult<R> = { key, value: aggregation.result(accumulator) };
    emit({ ...record, key, value: result }, scope);
  };
}
