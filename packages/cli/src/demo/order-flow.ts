import { createBus, NonRetryableError, type Bus, type Transport } from '@eddy/core';

/** The demo's events: one order walking through payment, inventory and shipping. */
export interface DemoEvents {
  'order.placed': { orderId: string; customerId: string; total: number; items: number };
  'payment.captured': { orderId: string; amount: number };
  'inventory.reserved': { orderId: string; items: number };
  'order.shipped': { orderId: string; carrier: string };
}

export interface DemoOptions {
  /** Transport the demo publishes to and consumes from (the server's). Not closed by `stop()`. */
  readonly transport: Transport;
  /** Time between two new orders. Default 1 000 ms. */
  readonly intervalMs?: number;
  /**
   * Share of orders whose first payment attempt is declined and dead-lettered (0..1); a redrive
   * from the DLQ then succeeds. Default 0.1.
   */
  readonly failureRate?: number;
  /** Random source, for tests. Default `Math.random`. */
  readonly random?: () => number;
}

export interface Demo {
  readonly bus: Bus<DemoEvents>;
  /** Orders placed so far. */
  readonly placed: () => number;
  /** Places one order now (the timer does it every `intervalMs`). */
  placeOrder(): Promise<void>;
  stop(): Promise<void>;
}

const CARRIERS = ['dhl', 'ups', 'postnl'] as const;

/**
 * A small order flow on the bus: `order.placed` -> payment -> `payment.captured` -> inventory ->
 * `inventory.reserved` -> shipping -> `order.shipped`. Each step runs in its own consumer group,
 * so the dashboard shows rates, lag and a causation chain per order; now and then a payment is
 * declined and the order lands in `order.placed.dlq`, ready to inspect and redrive.
 */
export async function startDemo(options: DemoOptions): Promise<Demo> {
  const intervalMs = options.intervalMs ?? 1_000;
  const failureRate = options.failureRate ?? 0.1;
  const random = options.random ?? Math.random;
  const bus = createBus<DemoEvents>({
    transport: options.transport,
    group: 'demo',
    source: '/eddy/demo',
    closeTransport: false,
    retry: { maxAttempts: 3, baseDelayMs: 100, maxDelayMs: 1_000 },
  });
  // Declined once per order: a redriven order goes through, as after a customer fixed their card.
  const declined = new Set<string>();

  bus.on(
    'order.placed',
    async (event) => {
      const { orderId, total } = event.data;
      if (!declined.has(orderId) && random() < failureRate) {
        declined.add(orderId);
        throw new NonRetryableError(`Payment for ${orderId} declined by the card issuer (demo failure).`);
      }
      await bus.publish('payment.captured', { orderId, amount: total }, { key: orderId });
    },
    { name: 'payment', from: 'earliest' },
  );
  bus.on(
    'payment.captured',
    async (event) => {
      await bus.publish(
        'inventory.reserved',
        { orderId: event.data.orderId, items: 1 + Math.floor(random() * 3) },
        { key: event.data.orderId },
      );
    },
    { name: 'inventory', from: 'earliest' },
  );
  bus.on(
    'inventory.reserved',
    async (event) => {
      const carrier = CARRIERS[Math.floor(random() * CARRIERS.length)] ?? 'dhl';
      await bus.publish(
        'order.shipped',
        { orderId: event.data.orderId, carrier },
        { key: event.data.orderId },
      );
    },
    { name: 'shipping', from: 'earliest' },
  );
  await bus.start();

  let placed = 0;
  const placeOrder = async (): Promise<void> => {
    placed += 1;
    const orderId = `o-${Date.now().toString(36)}-${placed}`;
    const customerId = `customer-${1 + Math.floor(random() * 20)}`;
    await bus.publish(
      'order.placed',
      {
        orderId,
        customerId,
        total: Math.round(random() * 20_000) / 100,
        items: 1 + Math.floor(random() * 4),
      },
      { key: orderId },
    );
  };
  let stopped = false;
  const timer = setInterval(() => {
    if (!stopped) placeOrder().catch(() => undefined);
  }, intervalMs);
  timer.unref();

  return {
    bus,
    placed: () => placed,
    placeOrder,
    async stop() {
      stopped = true;
      clearInterval(timer);
      await bus.stop();
    },
  };
}
