import type { StreamRecord } from '../record.js';
import { DueIndex } from './due-index.js';
import type { Scope } from './scope.js';
import { stateKeys } from './state-keys.js';
import type { StageRegistry } from './stage.js';

/** What a keyed event-time stage (a window, a pattern) does; the watermark and the index are shared. */
export interface KeyedTimeLogic<T, S> {
  /**
   * Handles one value of `key` with the key's state (`undefined` when none) and the watermark
   * before this value. Returns the new state (`undefined` to delete it).
   */
  onValue(
    record: StreamRecord<T>,
    key: string,
    state: S | undefined,
    watermark: number,
    scope: Scope,
  ): S | undefined;
  /** Acts on what is due in `state` at `watermark` (event time) or `now` (wall clock, ticks only). */
  onDue(key: string, state: S, watermark: number, now: number | undefined, scope: Scope): S | undefined;
  /** The earliest event time at which `state` needs `onDue`. */
  dueAt(state: S): number | undefined;
  /** The earliest wall-clock time at which `state` needs `onDue`, if the stage uses the clock. */
  wakeAt?(state: S): number | undefined;
}

/**
 * Runs keyed logic on event time: keeps the stage's watermark (largest event time seen minus
 * `maxOutOfOrderMs`) in state, and on each advance calls `onDue` for exactly the keys whose state
 * asked for it. State keys: `<stage>|wm` for the watermark, `<stage>|k|<key>` per key.
 */
export function keyedTimeStage<T, S>(
  registry: StageRegistry,
  name: string,
  maxOutOfOrderMs: number,
  logic: KeyedTimeLogic<T, S>,
  late?: () => number,
): (record: StreamRecord<T>, scope: Scope) => void {
  const byEventTime = new DueIndex();
  const byClock = new DueIndex();
  // The registry gives the stage's prefix; its callbacks below run only once the pipeline does.
  const prefix = registry.addStateful({
    name,
    ...(late === undefined ? {} : { late }),
    restore(entries) {
      byEventTime.clear();
      byClock.clear();
      for (const [stateKey, value] of entries) {
        if (stateKey.startsWith(keyPrefix)) index(stateKey.slice(keyPrefix.length), value as S);
      }
    },
    ...(logic.wakeAt === undefined
      ? {}
      : {
          nextWakeAt: () => byClock.peek(),
          onClock(now: number, scope: Scope) {
            const watermark = watermarkOf(scope);
            for (const key of byClock.takeDue(now)) runDue(key, watermark, now, scope);
          },
        }),
  });
  const watermarkKey = `${prefix}wm`;
  const keyPrefix = `${prefix}k|`;
  const stateKeyOf = stateKeys(keyPrefix);

  const index = (key: string, state: S | undefined): void => {
    byEventTime.set(key, state === undefined ? undefined : logic.dueAt(state));
    if (logic.wakeAt !== undefined) byClock.set(key, state === undefined ? undefined : logic.wakeAt(state));
  };
  const save = (scope: Scope, key: string, stateKey: string, state: S | undefined): void => {
    if (state === undefined) scope.delete(stateKey);
    else scope.set(stateKey, state);
    index(key, state);
  };
  const runDue = (key: string, watermark: number, now: number | undefined, scope: Scope): void => {
    const stateKey = stateKeyOf(key);
    const state = scope.get(stateKey) as S | undefined;
    if (state === undefined) {
      index(key, undefined);
      return;
    }
    save(scope, key, stateKey, logic.onDue(key, state, watermark, now, scope));
  };
  const watermarkOf = (scope: Scope): number =>
    (scope.get(watermarkKey) as number | undefined) ?? Number.NEGATIVE_INFINITY;

  return (record, scope) => {
    const key = record.key ?? '';
    const before = watermarkOf(scope);
    const stateKey = stateKeyOf(key);
    const state = scope.get(stateKey) as S | undefined;
    save(scope, key, stateKey, logic.onValue(record, key, state, before, scope));
    const after = record.time - maxOutOfOrderMs;
    if (after > before) {
      scope.set(watermarkKey, after);
      for (const due of byEventTime.takeDue(after)) runDue(due, after, undefined, scope);
    }
  };
}
