import type { Bus } from '@eddy/core';
import type { OrderEvents } from '../events.js';

/** Email notifications: reacts to the order's outcome, knows nothing about the saga. */
export function emailService(bus: Bus<OrderEvents>, print: (line: string) => void, sent: () => void): void {
  bus.on('order.confirmed', (event) => {
    print(`email: order ${event.data.orderId} confirmed`);
    sent();
  });
  bus.on('order.cancelled', (event) => {
    print(`email: order ${event.data.orderId} cancelled (${event.data.reason})`);
    sent();
  });
}
