import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { createBus } from '@eddy/core';
import { buildFlowGraph, createSagaAdmin, createSagaRunner, flowGraphToMermaid } from '@eddy/core/saga';
import { createSqliteSagaStore, createSqliteTransport } from '@eddy/sqlite';
import type { FailureMode, OrderEvents } from './events.js';
import { orderFlow } from './flow.js';
import { orderSaga } from './order-saga.js';
import { emailService } from './services/email.js';
import { inventoryService } from './services/inventory.js';
import { announceOutcome, ordersService } from './services/orders.js';
import { paymentService } from './services/payment.js';
import { shippingService } from './services/shipping.js';

const { values } = parseArgs({
  options: {
    fail: { type: 'string', default: 'none' },
    db: { type: 'string' },
    order: { type: 'string' },
    graph: { type: 'boolean', default: false },
  },
});
const modes: readonly FailureMode[] = ['none', 'payment', 'inventory', 'shipping-timeout'];
const fail = values.fail as FailureMode;
if (!modes.includes(fail)) {
  process.stderr.write(`--fail must be one of ${modes.join(', ')}\n`);
  process.exit(2);
}
const print = (line: string): void => void process.stdout.write(`${line}\n`);

if (values.graph) {
  const graph = buildFlowGraph(orderFlow, { externalInputs: ['order.placed'] });
  print(flowGraphToMermaid(graph).trimEnd());
  print(`cycles: ${graph.cycles.length}, orphan types: ${graph.unconsumed.length + graph.unproduced.length}`);
  process.exit(0);
}

// A directory given with --db keeps the log and the saga store; otherwise a temporary one is used.
const dir = values.db ?? mkdtempSync(join(tmpdir(), 'eddy-order-saga-'));
const transport = createSqliteTransport({ path: join(dir, 'bus.db'), partitions: 2 });
const store = createSqliteSagaStore({ database: join(dir, 'sagas.db') });
const bus = createBus<OrderEvents>({ transport, group: 'shop' });

let emailSent: () => void = () => undefined;
const sent = new Promise<void>((resolve) => (emailSent = resolve));
const runner = createSagaRunner({
  saga: orderSaga,
  store,
  bus,
  pollIntervalMs: 50,
  onSettled: (instance) => announceOutcome(bus, instance),
});
ordersService(bus, runner);
paymentService(bus, fail, print);
inventoryService(bus, fail, print);
shippingService(bus, fail, print);
emailService(bus, print, () => emailSent());

await bus.start();
await runner.start();
const orderId = values.order ?? `order-${Date.now().toString(36)}`;
print(`orders: placing ${orderId} (fail: ${fail})`);
await bus.publish('order.placed', { orderId, item: 'widget', quantity: 2, amount: 120 }, { key: orderId });

const deadline = setTimeout(() => {
  process.stderr.write('no email within 30 s\n');
  process.exit(1);
}, 30_000);
await sent;
clearTimeout(deadline);
const settled = await runner.whenSettled(orderId);
print(`saga ${orderId}: ${settled.status}`);
const timeline = await createSagaAdmin(store).timeline(orderId);
for (const entry of timeline.entries) {
  const parts = [
    entry.kind,
    entry.step,
    entry.attempt === undefined ? undefined : `#${entry.attempt}`,
    entry.detail,
  ];
  print(
    `  +${String(entry.at - settled.createdAt).padStart(4)} ms ${parts.filter((p) => p !== undefined).join(' ')}`,
  );
}
await runner.stop();
await bus.stop();
await store.close();
if (values.db === undefined) rmSync(dir, { recursive: true, force: true });
