import { ErrorCodes, isEddyError, type Transport } from '@eddy/core';
import { afterAll, expect } from 'vitest';
import type { TransportConformanceOptions } from '../options.js';
import { itUnless, itWithCapability } from '../skip.js';
import { waitFor } from '../wait-for.js';
import { Harness, numbered, textMessages } from './harness.js';
import { RESTART_ACK_TIMEOUT_MS, RestartHarness } from './restart-harness.js';

const CASES = {
  resolvedSurvive:
    'every publish that resolved before the backend stopped, including those in flight as it stopped, is delivered after the restart',
  liveSubscription:
    'a subscription that lived through the restart resumes by itself and delivers what is published after it',
  publishWhileDown:
    'a publish while the backend is down resolves and is delivered, or rejects with a retriable EDDY_CONNECTION_FAILED or EDDY_TIMEOUT, within publishTimeoutMs',
  groupPosition:
    'a consumer group keeps its committed position across the restart: nothing it acknowledged comes again, everything after does',
} as const;

// Codes a publish may reject with while the backend is down: both say "retry later".
const OUTAGE_CODE = new RegExp(`^(${ErrorCodes.ConnectionFailed}|${ErrorCodes.Timeout})$`);
// The outage of the publish-while-down case lasts until that publish settles or this long: a
// short outage, as a deploy or a failover causes, during which a publish is refused or held.
const OUTAGE_MS = 2_000;

/**
 * Restarts the backend and checks what survives (Watermill's "restart service" idea). Registered
 * for every backend; without a restart hook each case is skipped with the reason.
 */
export async function restartTests(options: TransportConformanceOptions): Promise<void> {
  const restart = options.restart;
  if (restart === undefined || 'unavailable' in restart) {
    const reason =
      restart?.unavailable ?? `no restart hook was given to describeTransportConformance for ${options.name}`;
    for (const name of Object.values(CASES)) itUnless(reason, name, () => undefined);
    return;
  }

  const h = new Harness({ name: options.name, createTransport: restart.createTransport });
  // The restartable backend may be configured apart from the main one (a private server with
  // persistence on), so its own capabilities decide which cases run.
  const probe = await restart.createTransport();
  h.capabilities = probe.capabilities;
  await probe.close();
  h.install();
  if (restart.teardown !== undefined) afterAll(restart.teardown);
  const r = new RestartHarness(h, restart);
  const caseTimeoutMs = 2 * (r.publishTimeoutMs + r.recoveryTimeoutMs);
  const embedded =
    restart.backend === 'embedded'
      ? `${options.name} is embedded: a restart is its process ending, and the process's subscriptions and publishes end with it`
      : undefined;

  itWithCapability(
    h,
    'durable',
    CASES.resolvedSurvive,
    async () => {
      const topic = h.topic();
      const group = h.group();
      await createGroup(h, topic, group);
      const producer = await h.open();
      const resolved: string[] = [];
      const untyped: unknown[] = [];
      let stopping = false;
      // Four publishers, so several batches are in flight when the backend stops. Each stops at its
      // first rejection: a rejected batch was never promised.
      const publisher = async (id: number): Promise<void> => {
        for (let batch = 0; !stopping; batch++) {
          const texts = numbered(`p${id}-b${batch}`, 5);
          try {
            await producer.publish(topic, textMessages(texts, `key-${id}`));
            resolved.push(...texts);
          } catch (error) {
            if (!isEddyError(error)) untyped.push(error);
            return;
          }
        }
      };
      let settled = false;
      const publishing = Promise.all([0, 1, 2, 3].map(publisher)).then(() => (settled = true));
      await waitFor(() => resolved.length >= 200, { description: 'traffic before the restart' });
      await r.restart(() => {
        stopping = true;
      });
      await waitFor(() => settled, {
        timeoutMs: r.publishTimeoutMs,
        description: 'the publishes in flight at the stop to settle',
      });
      await publishing;

      const { collector } = await h.collect(await h.open(), topic, { group });
      await collector.waitForAll(resolved, r.recoveryTimeoutMs);
      expect(untyped).toEqual([]);
    },
    caseTimeoutMs,
  );

  itUnless(
    embedded,
    CASES.liveSubscription,
    async () => {
      const topic = h.topic();
      const [consumer, producer] = [await h.open(), await h.open()];
      const { collector } = await h.collect(consumer, topic, {
        group: h.group(),
        ackTimeoutMs: RESTART_ACK_TIMEOUT_MS,
      });
      const before = numbered('before', 20);
      await producer.publish(topic, textMessages(before));
      await collector.waitForAll(before);

      await r.restart();
      const after = numbered('after', 20);
      await r.publishUntilAccepted(producer, topic, textMessages(after));
      await collector.waitForAll(after, r.recoveryTimeoutMs);
    },
    caseTimeoutMs,
  );

  itUnless(
    embedded,
    CASES.publishWhileDown,
    async () => {
      const topic = h.topic();
      const group = h.group();
      await createGroup(h, topic, group);
      const producer = await h.open();
      await producer.publish(topic, textMessages(['before-the-outage']));
      const down = numbered('while-down', 3);
      let outcome:
        { readonly rejected: false } | { readonly rejected: true; readonly error: unknown } | undefined;
      let calledAt = 0;
      await r.restart(async () => {
        calledAt = Date.now();
        void producer.publish(topic, textMessages(down)).then(
          () => (outcome = { rejected: false }),
          (error: unknown) => (outcome = { rejected: true, error }),
        );
        const outageEnds = calledAt + OUTAGE_MS;
        await waitFor(() => outcome !== undefined || Date.now() >= outageEnds, {
          timeoutMs: OUTAGE_MS * 2,
        });
      });
      await waitFor(() => outcome !== undefined, {
        timeoutMs: Math.max(1, calledAt + r.publishTimeoutMs - Date.now()),
        description: `the publish called while ${options.name} was down to settle within publishTimeoutMs (${r.publishTimeoutMs} ms)`,
      });

      if (outcome?.rejected === true) {
        const { error } = outcome;
        const observed = isEddyError(error)
          ? { code: error.code, retriable: error.retriable }
          : { code: `not an EddyError: ${describeValue(error)}`, retriable: false };
        expect({ ...observed, outageCode: OUTAGE_CODE.test(observed.code) }).toEqual({
          code: observed.code,
          retriable: true,
          outageCode: true,
        });
        // What a producer does with a retriable rejection: send the same batch again.
        await r.publishUntilAccepted(producer, topic, textMessages(down));
      }
      const { collector } = await h.collect(await h.open(), topic, { group });
      await collector.waitForAll(down, r.recoveryTimeoutMs);
    },
    caseTimeoutMs,
  );

  itWithCapability(
    h,
    'durable',
    CASES.groupPosition,
    async () => {
      const topic = h.topic();
      const group = h.group();
      const first = await h.open();
      const { collector: before, subscription } = await h.collect(first, topic, { group });
      const acknowledged = numbered('acknowledged', 30);
      await first.publish(topic, textMessages(acknowledged));
      await before.waitForAll(acknowledged);
      // Closing applies every ack, so any of these coming again is a replay, not at-least-once.
      await subscription.close();
      const waiting = numbered('waiting', 20);
      await first.publish(topic, textMessages(waiting));

      await r.restart();
      const second = await h.open();
      const { collector: after } = await h.collect(second, topic, { group });
      await after.waitForAll(waiting, r.recoveryTimeoutMs);
      await h.sentinel(second, topic, after);
      expect(acknowledged.filter((text) => after.has(text))).toEqual([]);
    },
    caseTimeoutMs,
  );
}

/** Creates `group` on `topic` (from latest) with a member that leaves at once. */
async function createGroup(h: Harness, topic: string, group: string): Promise<void> {
  const transport: Transport = await h.open();
  await (await transport.subscribe(topic, { group }, () => undefined)).close();
}

function describeValue(value: unknown): string {
  return value instanceof Error ? `${value.name}: ${value.message}` : JSON.stringify(value);
}
