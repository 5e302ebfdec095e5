/** Every event the order saga and its services exchange: type -> data. */
export interface OrderEvents {
  'order.placed': { orderId: string; item: string; quantity: number; amount: number };
  'order.confirmed': { orderId: string };
  'order.cancelled': { orderId: string; reason: string };
  'payment.reserve': { orderId: string; amount: number };
  'payment.reserved': { orderId: string; paymentId: string };
  'payment.declined': { orderId: string; reason: string };
  'payment.refund': { orderId: string; amount: number };
  'inventory.reserve': { orderId: string; item: string; quantity: number };
  'inventory.reserved': { orderId: string; reservationId: string };
  'inventory.failed': { orderId: string; reason: string };
  'inventory.release': { orderId: string; item: string; quantity: number };
  'shipping.schedule': { orderId: string };
  'shipping.scheduled': { orderId: string; trackingId: string };
}

/** What `--fail` can break. */
export type FailureMode = 'none' | 'payment' | 'inventory' | 'shipping-timeout';
