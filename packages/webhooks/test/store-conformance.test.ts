import {
  describeDeliveryStoreConformance,
  describeEndpointStoreConformance,
  describeRequestStoreConformance,
} from '@eddy/conformance';
import { ClosedError } from '@eddy/core/internal';
import {
  createMemoryDeliveryStore,
  createMemoryEndpointStore,
  createMemoryRequestStore,
} from '@eddy/webhooks';

/** A handle on a shared memory store that closes on its own, as a handle on a database would. */
function handle<T extends object>(store: T): T {
  let closed = false;
  return new Proxy(store, {
    get(target, property, receiver) {
      const value: unknown = Reflect.get(target, property, receiver);
      if (property === 'close') {
        return () => {
          closed = true;
          return Promise.resolve();
        };
      }
      if (typeof value !== 'function') return value;
      return (...args: unknown[]): unknown => {
        if (closed) return Promise.reject(new ClosedError('The store handle'));
        return (value as (...args: unknown[]) => unknown).apply(target, args);
      };
    },
  });
}

const endpoints = createMemoryEndpointStore();
const deliveries = createMemoryDeliveryStore();
const options = {
  name: 'memory',
  createEndpointStore: () => handle(endpoints),
  createDeliveryStore: () => handle(deliveries),
};
describeEndpointStoreConformance(options);
describeDeliveryStoreConformance(options);

const requests = createMemoryRequestStore();
describeRequestStoreConformance({ name: 'memory', createStore: () => handle(requests) });
