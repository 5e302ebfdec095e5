import type { ScheduleStore } from '@eddy/core/schedule';
import { describeScheduleStoreConformance } from '@eddy/conformance';
import { ClosedError } from '@eddy/core/internal';
import { createMemoryScheduleStore } from '@eddy/core/testing';
import { afterEach } from 'vitest';

// The suite opens several handles per test and expects them to share schedules, as schedulers in
// several processes share a database: every handle here is a view of one store per test, closed
// on its own.
let shared = createMemoryScheduleStore();
afterEach(() => {
  shared = createMemoryScheduleStore();
});

function handle(store: ScheduleStore): ScheduleStore {
  let closed = false;
  const guard =
    <A extends unknown[], R>(call: (...args: A) => Promise<R>) =>
    (...args: A): Promise<R> =>
      closed ? Promise.reject(new ClosedError('The schedule store')) : call(...args);
  return {
    upsert: guard((definition, nextRunAt) => store.upsert(definition, nextRunAt)),
    get: guard((id) => store.get(id)),
    list: guard(() => store.list()),
    delete: guard((id) => store.delete(id)),
    claimDue: guard((options) => store.claimDue(options)),
    advance: guard((id, advance) => store.advance(id, advance)),
    close: async () => {
      closed = true;
      await Promise.resolve();
    },
  };
}

describeScheduleStoreConformance({ name: 'memory', createStore: () => handle(shared) });
