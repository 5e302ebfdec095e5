import {
  adminOf,
  type GroupSummary,
  type TopicSummary,
  type Transport,
  type TransportAdmin,
} from '@eddy/core';
import { waitFor } from '../wait-for.js';
import type { Harness } from '../transport/harness.js';
import type { TransportAdminConformanceOptions } from './options.js';

/** The transport harness plus what the admin cases need. */
export interface AdminHarness {
  readonly h: Harness;
  readonly options: TransportAdminConformanceOptions;
  /** A new transport instance and its admin, closed after the test. */
  openAdmin(): Promise<{ transport: Transport; admin: TransportAdmin }>;
}

export function createAdminHarness(h: Harness, options: TransportAdminConformanceOptions): AdminHarness {
  return {
    h,
    options,
    async openAdmin() {
      const transport = await h.open();
      const admin = adminOf(transport);
      if (admin === undefined) {
        throw new Error(
          `adminOf() is undefined for the ${options.name} transport: it has no admin property.`,
        );
      }
      return { transport, admin };
    },
  };
}

/** Runs `call` so that a synchronous throw becomes a rejection (admins may be synchronous). */
export function attempt(call: () => unknown): Promise<unknown> {
  return Promise.resolve().then(call);
}

export async function findTopic(admin: TransportAdmin, name: string): Promise<TopicSummary | undefined> {
  return (await admin.listTopics()).find((topic) => topic.name === name);
}

export async function findGroup(
  admin: TransportAdmin,
  topic: string,
  group: string,
): Promise<GroupSummary | undefined> {
  return (await admin.listGroups(topic)).find((entry) => entry.group === group);
}

/** Polls `listGroups(topic)` until the group exists and `check` holds; resolves with that summary. */
export async function waitForGroup(
  admin: TransportAdmin,
  topic: string,
  group: string,
  check: (summary: GroupSummary) => boolean,
  description: string,
): Promise<GroupSummary> {
  let last: GroupSummary | undefined;
  await waitFor(
    async () => {
      last = await findGroup(admin, topic, group);
      return last !== undefined && check(last);
    },
    { description: () => `${description}; last seen: ${JSON.stringify(last)}` },
  );
  return last!;
}
