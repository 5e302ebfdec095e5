import { afterAll, describe } from 'vitest';
import { appendTests } from './append-tests.js';
import { concurrencyTests } from './concurrency-tests.js';
import { EventStoreHarness } from './harness.js';
import { metadataTests } from './metadata-tests.js';
import type { EventStoreConformanceOptions } from './options.js';
import { readTests } from './read-tests.js';
import { subscriptionTests } from './subscription-tests.js';

/**
 * Registers the event store conformance suite as Vitest tests. Call it at the top level of a test
 * file:
 *
 * ```ts
 * describeEventStoreConformance({ name: 'postgres', createStore: () => createPostgresEventStore({ pool }) });
 * ```
 *
 * It covers the `EventStore` port's contract: versions and global order, every `expectedVersion`
 * form and the typed conflict error, idempotent retries, forward/backward/category reads, stream
 * metadata (max count, max age, truncation, soft delete, tombstone), concurrent writers, and
 * subscriptions built on `readAll` (catch-up to live without gaps, resume from a checkpoint).
 */
export function describeEventStoreConformance(options: EventStoreConformanceOptions): void {
  describe(`event store conformance: ${options.name}`, () => {
    const harness = new EventStoreHarness(options);
    harness.install();
    if (options.teardown !== undefined) afterAll(options.teardown);

    describe('appending and optimistic concurrency', () => appendTests(harness));
    describe('reading streams, all events and categories', () => readTests(harness));
    describe('stream metadata and deletion', () => metadataTests(harness));
    describe('concurrent writers', () => concurrencyTests(harness));
    describe('subscriptions', () => subscriptionTests(harness));
  });
}
