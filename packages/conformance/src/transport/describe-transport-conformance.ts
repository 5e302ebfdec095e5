import { afterAll, describe } from 'vitest';
import type { TransportConformanceOptions } from '../options.js';
import { batchTests } from './batch-tests.js';
import { busFeatureTests } from './bus-feature-tests.js';
import { capabilityTests } from './capability-tests.js';
import { dedupeTests } from './dedupe-tests.js';
import { errorTests } from './error-tests.js';
import { filterTests } from './filter-tests.js';
import { groupTests } from './group-tests.js';
import { Harness } from './harness.js';
import { leaseTests } from './lease-tests.js';
import { lifecycleTests } from './lifecycle-tests.js';
import { loadTests } from './load-tests.js';
import { orderingTests } from './ordering-tests.js';
import { payloadTests } from './payload-tests.js';
import { publishTests } from './publish-tests.js';
import { redeliveryTests } from './redelivery-tests.js';
import { replayTests } from './replay-tests.js';
import { restartTests } from './restart-tests.js';

/**
 * Registers the transport conformance suite as Vitest tests. Call it at the top level of a test
 * file. A case the backend cannot run (a capability it declares false, no restart hook) is
 * registered as skipped, its name ending with `(skipped: <why>)`.
 */
export function describeTransportConformance(options: TransportConformanceOptions): void {
  describe(`transport conformance: ${options.name}`, async () => {
    const harness = new Harness(options);
    // Capabilities decide which tests exist, so read them from a probe instance before registering.
    const probe = await options.createTransport();
    harness.capabilities = probe.capabilities;
    harness.batchDelivery = typeof probe.subscribeBatch === 'function';
    await probe.close();
    harness.install();
    if (options.teardown !== undefined) afterAll(options.teardown);

    describe('publish and receive', () => publishTests(harness));
    describe('payloads, headers and keys', () => payloadTests(harness));
    describe('at-least-once redelivery', () => redeliveryTests(harness));
    describe('consumer groups', () => groupTests(harness));
    describe('per-key ordering', () => orderingTests(harness));
    describe('replay for new groups', () => replayTests(harness));
    describe('long-running deliveries', () => leaseTests(harness));
    describe('batch delivery', () => batchTests(harness));
    describe('publish-time dedupe and debounce', () => dedupeTests(harness));
    describe('closing', () => lifecycleTests(harness));
    describe('rejecting bad input', () => errorTests(harness));
    describe('refusing what the backend declares it cannot do', () => capabilityTests(harness));
    describe('filtering and superseding in the transport', () => filterTests(harness));
    describe('expiry and priority through the bus', () => busFeatureTests(harness));
    describe('volume, concurrency and timing', () => loadTests(harness));
    describe('surviving a backend restart', () => restartTests(options));
  });
}
