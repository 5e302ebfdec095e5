import type { Bus } from '@eddy/core';
import type { FailureMode, OrderEvents } from '../events.js';

/** The shipping service; with `--fail shipping-timeout` it never answers. */
export function shippingService(
  bus: Bus<OrderEvents>,
  fail: FailureMode,
  print: (line: string) => void,
): void {
  bus.on('shipping.schedule', async (event) => {
    if (fail === 'shipping-timeout') {
      print(`shipping: no answer for ${event.data.orderId} (simulated outage)`);
      return;
    }
    print(`shipping: scheduled ${event.data.orderId}`);
    await bus.publish('shipping.scheduled', {
      orderId: event.data.orderId,
      trackingId: `trk-${event.data.orderId}`,
    });
  });
}
