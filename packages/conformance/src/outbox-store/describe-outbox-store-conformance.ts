import { afterAll, describe } from 'vitest';
import { discardTests } from './discard-tests.js';
import { failedRowTests } from './failed-row-tests.js';
import { createOutboxHarness } from './harness.js';
import type { OutboxStoreConformanceOptions } from './options.js';
import { relayTests } from './relay-tests.js';

/**
 * The `OutboxStore` contract for rows that cannot be published: `markFailed` (lease-checked) takes
 * a row out of the pending set so the rows behind it go on, `failedRows` lists it with its error,
 * `retryFailed` puts it back ahead of later rows, `discardFailed` (where offered) deletes it for good,
 * purges never delete it, `stats` counts it, the attempts it had are kept; and a
 * relay over the store sets aside a too-large row at once and a retriably failing one after
 * `maxAttempts`, publishing the rest of the lane in order.
 */
export function describeOutboxStoreConformance(options: OutboxStoreConformanceOptions): void {
  describe(`outbox store conformance: ${options.name}`, () => {
    if (options.teardown !== undefined) afterAll(options.teardown);
    const harness = createOutboxHarness(options);
    failedRowTests(harness);
    describe.skipIf(options.discardFailed === false)(
      `discardFailed${options.discardFailed === false ? ' (skipped: the store does not implement it)' : ''}`,
      () => discardTests(harness),
    );
    relayTests(harness);
  });
}
