import { afterAll, describe } from 'vitest';
import { Harness } from '../transport/harness.js';
import { groupTests } from './group-tests.js';
import { createAdminHarness } from './harness.js';
import type { TransportAdminConformanceOptions } from './options.js';
import { readTests } from './read-tests.js';
import { resetTests } from './reset-tests.js';
import { topicTests } from './topic-tests.js';

/**
 * Registers the `TransportAdmin` suite as Vitest tests: listTopics, listGroups, readMessages,
 * createTopic and resetGroup, checked only through publish/subscribe and the admin, so every
 * backend whose `adminOf(transport)` is defined can run it. Cases that depend on what the backend
 * offers follow the option flags (or the transport's capabilities) and say so in their names.
 */
export function describeTransportAdminConformance(options: TransportAdminConformanceOptions): void {
  describe(`transport admin conformance: ${options.name}`, async () => {
    const harness = new Harness({ name: options.name, createTransport: options.createTransport });
    const probe = await options.createTransport();
    harness.capabilities = probe.capabilities;
    await probe.close();
    harness.install();
    if (options.teardown !== undefined) afterAll(options.teardown);
    const admin = createAdminHarness(harness, options);

    describe('topics', () => topicTests(admin));
    describe('groups', () => groupTests(admin));
    describe('reading messages', () => readTests(admin));
    describe('resetting groups', () => resetTests(admin));
  });
}
