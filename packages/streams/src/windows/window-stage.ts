import type { Aggregation } from '../aggregations.js';
import { keyedTimeStage, type KeyedTimeLogic } from '../engine/keyed-time-stage.js';
import type { Scope } from '../engine/scope.js';
import type { Sink, StageRegistry } from '../engine/stage.js';
import { InvalidWindowError } from '../errors.js';
import type { StreamRecord } from '../record.js';
import { sessionWindowLogic } from './session-windows.js';
import { slidingWindowLogic } from './sliding-windows.js';
import { timeWindowLogic } from './time-windows.js';
import { nonNegative, type WindowOptions, type WindowSpec } from './window-types.js';

const KINDS = new Set(['tumbling', 'hopping', 'sliding', 'session']);

/** The stage behind `stream.window`: checks the definition, then runs the window kind's logic on event time. */
export function windowStage<T, A, R>(
  registry: StageRegistry,
  spec: WindowSpec,
  options: WindowOptions<T, A, R>,
  emit: Sink,
  lateOutput: Sink,
): (record: StreamRecord<T>, scope: Scope) => void {
  let lateCount = 0;
  const late: Sink = (record, scope) => {
    lateCount++;
    lateOutput(record, scope);
  };
  if (!KINDS.has((spec as { kind?: string } | undefined)?.kind ?? '')) {
    throw new InvalidWindowError('window needs a window from tumbling(), hopping(), sliding() or session().');
  }
  const aggregation = options?.aggregate as Aggregation<T, unknown, unknown> | undefined;
  if (typeof aggregation?.add !== 'function') {
    throw new InvalidWindowError('window needs { aggregate }, e.g. { aggregate: count() }.');
  }
  if (options.emit !== undefined && options.emit !== 'close' && options.emit !== 'update') {
    throw new InvalidWindowError(`window emit must be 'close' or 'update', got ${String(options.emit)}.`);
  }
  const allowedLatenessMs = nonNegative(options.allowedLatenessMs, 'allowedLatenessMs');
  const maxOutOfOrderMs = nonNegative(options.maxOutOfOrderMs, 'maxOutOfOrderMs');
  const emitUpdates = options.emit === 'update';
  let logic: KeyedTimeLogic<T, unknown>;
  switch (spec.kind) {
    case 'tumbling':
    case 'hopping':
      logic = timeWindowLogic({
        spec,
        aggregation,
        emitUpdates,
        allowedLatenessMs,
        emit,
        late,
      });
      break;
    case 'sliding':
      logic = slidingWindowLogic({ spec, aggregation, allowedLatenessMs, emit, late });
      break;
    case 'session': {
      const { merge } = aggregation;
      if (merge === undefined) {
        throw new InvalidWindowError(
          `Session windows merge sessions, so the aggregation needs merge: ${aggregation.name} has none. Pass reduce(fn, initial, merge).`,
        );
      }
      logic = sessionWindowLogic({
        spec,
        aggregation,
        merge,
        emitUpdates,
        allowedLatenessMs,
        emit,
        late,
      });
      break;
    }
  }
  return keyedTimeStage(
    registry,
    options.name ?? registry.nextName('window'),
    maxOutOfOrderMs,
    logic,
    () => lateCount,
  );
}
