import { type Bus } from '@eddy/core';
import { idempotencyKeyOf } from '@eddy/core/saga';
import type { FailureMode, OrderEvents } from '../events.js';

/**
 * The payment service. Reservations are keyed by the saga's idempotency key, so a command
 * re-sent after a crash or a timeout never charges twice.
 */
export function paymentService(
  bus: Bus<OrderEvents>,
  fail: FailureMode,
  print: (line: string) => void,
): void {
  const reservations = new Map<string, string>();
  const refunded = new Set<string>();
  bus.on('payment.reserve', async (event) => {
    const key = idempotencyKeyOf(event);
    if (fail === 'payment') {
      print(`payment: declined ${event.data.orderId}`);
      await bus.publish('payment.declined', { orderId: event.data.orderId, reason: 'card declined' });
      return;
    }
    let paymentId = reservations.get(key);
    if (paymentId === undefined) {
      paymentId = `pay-${event.data.orderId}`;
      reservations.set(key, paymentId);
      print(`payment: reserved ${event.data.amount.toFixed(2)} for ${event.data.orderId}`);
    }
    await bus.publish('payment.reserved', { orderId: event.data.orderId, paymentId });
  });
  bus.on('payment.refund', (event) => {
    if (refunded.has(event.data.orderId)) return;
    refunded.add(event.data.orderId);
    print(`payment: refunded ${event.data.amount.toFixed(2)} for ${event.data.orderId}`);
  });
}
