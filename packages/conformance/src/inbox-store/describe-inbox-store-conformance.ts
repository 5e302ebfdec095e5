import { afterAll, describe } from 'vitest';
import { claimTests } from './claim-tests.js';
import { expiryTests } from './expiry-tests.js';
import { createInboxHarness } from './harness.js';
import { lifecycleTests } from './lifecycle-tests.js';
import type { InboxStoreConformanceOptions } from './options.js';

/**
 * The `InboxStore` contract: the first claim of `(handler, eventId)` wins and later ones see
 * `'busy'` or `'processed'`; handlers and ids are independent; concurrent claims (across handles
 * when the backend is shared) have one winner; release, lease takeover and TTL expiry reopen an
 * entry; purgeExpired deletes only what ended; a closed store rejects with `EDDY_CLOSED`.
 */
export function describeInboxStoreConformance(options: InboxStoreConformanceOptions): void {
  describe(`inbox store conformance: ${options.name}`, () => {
    if (options.teardown !== undefined) afterAll(options.teardown);
    const harness = createInboxHarness(options);
    claimTests(harness);
    expiryTests(harness);
    lifecycleTests(harness);
  });
}
