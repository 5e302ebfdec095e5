import { describeRuleStoreConformance } from '@eddy/conformance';
import { ClosedError } from '@eddy/core/internal';
import { createMemoryRuleStore, type RuleStore } from '@eddy/rules';

// The suite opens several handles on one backend; here every handle is a view of one memory store
// that can be closed on its own.
const shared = createMemoryRuleStore();

function handle(): RuleStore {
  let closed = false;
  const guard =
    <A extends unknown[], R>(call: (...args: A) => Promise<R>) =>
    async (...args: A): Promise<R> => {
      if (closed) throw new ClosedError('The rule store');
      return call(...args);
    };
  return {
    put: guard((rule) => shared.put(rule)),
    get: guard((name) => shared.get(name)),
    list: guard(() => shared.list()),
    delete: guard((name) => shared.delete(name)),
    revision: guard(() => shared.revision()),
    addCounts: guard((deltas) => shared.addCounts(deltas)),
    close: () => {
      closed = true;
      return Promise.resolve();
    },
  };
}

describeRuleStoreConformance({ name: 'memory', createStore: handle });
