import { defineSaga } from '@eddy/core/saga';
import type { OrderEvents } from './events.js';

export type OrderInput = OrderEvents['order.placed'];

export interface OrderContext extends Record<string, unknown> {
  paymentId: string;
  reservationId: string;
  trackingId: string;
}

/**
 * Reserve payment -> reserve inventory -> schedule shipping. Each step is a command to another
 * service with a reply awaited; a failure or a timeout compensates the completed steps in reverse.
 */
export const orderSaga = defineSaga<OrderInput, OrderContext>({
  name: 'order',
  retry: { maxAttempts: 3, baseDelayMs: 50, maxDelayMs: 500 },
  timeoutMs: 5_000,
  steps: [
    {
      name: 'payment',
      request: {
        command: 'payment.reserve',
        data: ({ input }) => ({ orderId: input.orderId, amount: input.amount }),
        success: 'payment.reserved',
        failure: ['payment.declined'],
        onReply: (reply) => ({ paymentId: (reply.data as OrderEvents['payment.reserved']).paymentId }),
      },
      compensate: {
        command: 'payment.refund',
        data: ({ input }) => ({ orderId: input.orderId, amount: input.amount }),
      },
    },
    {
      name: 'inventory',
      request: {
        command: 'inventory.reserve',
        data: ({ input }) => ({ orderId: input.orderId, item: input.item, quantity: input.quantity }),
        success: 'inventory.reserved',
        failure: ['inventory.failed'],
        onReply: (reply) => ({
          reservationId: (reply.data as OrderEvents['inventory.reserved']).reservationId,
        }),
      },
      compensate: {
        command: 'inventory.release',
        data: ({ input }) => ({ orderId: input.orderId, item: input.item, quantity: input.quantity }),
      },
    },
    {
      name: 'shipping',
      // Shipping answers fast or not at all: two tries of 400 ms, then the order is compensated.
      timeoutMs: 400,
      retry: { maxAttempts: 2, baseDelayMs: 10, maxDelayMs: 20 },
      request: {
        command: 'shipping.schedule',
        data: ({ input }) => ({ orderId: input.orderId }),
        success: 'shipping.scheduled',
        onReply: (reply) => ({ trackingId: (reply.data as OrderEvents['shipping.scheduled']).trackingId }),
      },
    },
  ],
});
