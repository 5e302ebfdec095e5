import type { TransportCapabilities } from '@eddy/core';
import { it, type TestFunction } from 'vitest';

/** The yes/no flags of `TransportCapabilities`, the ones a case can depend on. */
export type CapabilityFlag = {
  [K in keyof TransportCapabilities]-?: NonNullable<TransportCapabilities[K]> extends boolean ? K : never;
}[keyof TransportCapabilities];

// What a backend lacks when a flag is false, worded for "<backend> does not offer ...".
const OFFERS: Readonly<Record<CapabilityFlag, string>> = {
  durable: 'publishes that survive a restart',
  orderingPerKey: 'per-key ordering',
  consumerGroups: 'consumer groups',
  replay: 'replay from earliest or from an offset',
  replayFromTime: 'replay from a point in time',
  delayedDelivery: 'delayed delivery',
  nackDelay: 'delayed redelivery after a nack',
  leaseExtension: 'lease extension for long-running deliveries',
  publishDedupe: 'publish-time dedupe and debounce',
  filtering: 'filtering in the transport',
  supersede: 'superseding stale last values',
  priority: 'ordering by priority in its own queues',
};

/**
 * Why a case that needs `flag` does not run on `backend`, or `undefined` when it runs. The reason
 * names the backend and the flag, so a skipped case in a report reads as "this backend declares it
 * does not do that", never as "this test was switched off".
 */
export function missingCapability(
  backend: string,
  capabilities: TransportCapabilities,
  flag: CapabilityFlag,
): string | undefined {
  return capabilities[flag]
    ? undefined
    : `${backend} does not offer ${OFFERS[flag]}: capabilities.${flag} is false`;
}

/**
 * Registers a test, or, when `skipReason` is given, a skipped test whose name ends with
 * `(skipped: <reason>)`. Every case the suites skip goes through here, so no skip is silent.
 */
export function itUnless(
  skipReason: string | undefined,
  name: string,
  fn: TestFunction,
  timeoutMs?: number,
): void {
  if (skipReason === undefined) it(name, fn, timeoutMs);
  else it.skip(`${name} (skipped: ${skipReason})`, fn);
}

/** What `itWithCapability` reads: the backend's name and what it declares. */
export interface CapabilitySource {
  readonly name: string;
  readonly capabilities: TransportCapabilities;
}

/**
 * Registers a case that needs `flag`: named `<name> (capability: <flag>)` where the backend declares
 * it, and skipped as `<name> (skipped: <backend> does not offer ...)` where it does not.
 */
export function itWithCapability(
  backend: CapabilitySource,
  flag: CapabilityFlag,
  name: string,
  fn: TestFunction,
  timeoutMs?: number,
): void {
  const reason = missingCapability(backend.name, backend.capabilities, flag);
  itUnless(reason, reason === undefined ? `${name} (capability: ${flag})` : name, fn, timeoutMs);
}
