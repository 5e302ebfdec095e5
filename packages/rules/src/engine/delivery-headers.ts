import type { Headers } from '@eddy/core';

/**
 * Headers a delivery message carries next to the matched event's own headers and payload, which
 * travel unchanged: which rule matched and which of its targets the message is for.
 */
export const DeliveryHeaders = {
  rule: 'eddy-rule',
  target: 'eddy-rule-target',
} as const;

/** The rule and target a delivery message is for, or undefined for any other message. */
export function deliveryOf(headers: Headers): { rule: string; target: string } | undefined {
  const rule = headers[DeliveryHeaders.rule];
  const target = headers[DeliveryHeaders.target];
  return rule === undefined || target === undefined ? undefined : { rule, target };
}
