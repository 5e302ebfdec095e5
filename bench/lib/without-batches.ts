import type { Transport } from '@eddy/core';

/**
 * The same transport without `subscribeBatch`: the bus then takes the per-event path, as on a
 * transport that does not offer batch delivery. Closing it leaves the transport open.
 */
export function withoutBatches(transport: Transport): Transport {
  return {
    name: transport.name,
    capabilities: transport.capabilities,
    publish: (topic, messages) => transport.publish(topic, messages),
    subscribe: (topic, options, handler) => transport.subscribe(topic, options, handler),
    close: () => Promise.resolve(),
  };
}
