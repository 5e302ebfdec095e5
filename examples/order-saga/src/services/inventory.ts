import { type Bus } from '@eddy/core';
import { idempotencyKeyOf } from '@eddy/core/saga';
import type { FailureMode, OrderEvents } from '../events.js';

/** The inventory service: reserves stock, or answers `inventory.failed` when out of stock. */
export function inventoryService(
  bus: Bus<OrderEvents>,
  fail: FailureMode,
  print: (line: string) => void,
): void {
  const reserved = new Map<string, string>();
  bus.on('inventory.reserve', async (event) => {
    const { orderId, item, quantity } = event.data;
    if (fail === 'inventory') {
      print(`inventory: out of stock for ${orderId} (${quantity} x ${item})`);
      await bus.publish('inventory.failed', { orderId, reason: `${item} out of stock` });
      return;
    }
    const key = idempotencyKeyOf(event);
    let reservationId = reserved.get(key);
    if (reservationId === undefined) {
      reservationId = `res-${orderId}`;
      reserved.set(key, reservationId);
      print(`inventory: reserved ${quantity} x ${item} for ${orderId}`);
    }
    await bus.publish('inventory.reserved', { orderId, reservationId });
  });
  bus.on('inventory.release', (event) => {
    print(`inventory: released ${event.data.quantity} x ${event.data.item} for ${event.data.orderId}`);
  });
}
