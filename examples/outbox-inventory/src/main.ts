// Order service -> outbox -> relay -> SQLite log -> inventory service (transactional inbox).
// Run: npm start -w examples/outbox-inventory
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { createBus } from '@eddy/core';
import { startOutboxRelay } from '@eddy/core/outbox';
import { createSqliteOutbox, createSqliteTransport } from '@eddy/sqlite';
import { createInventoryTables, registerInventory, type InventoryEvents } from './inventory-service.js';
import { createOrderTables, placeOrder } from './orders-service.js';

const dir = mkdtempSync(join(tmpdir(), 'eddy-outbox-inventory-'));
const ordersDb = new Database(join(dir, 'orders.db'));
ordersDb.pragma('journal_mode = WAL');
const inventoryDb = new Database(join(dir, 'inventory.db'));
inventoryDb.pragma('journal_mode = WAL');
createOrderTables(ordersDb);
createInventoryTables(inventoryDb, { apple: 10, pear: 5 });

// The order service writes through the outbox; its relay (own connection) publishes to the log.
const outbox = createSqliteOutbox({ database: join(dir, 'orders.db') });
const broker = join(dir, 'broker.db');
const relayTransport = createSqliteTransport({ path: broker });
const relay = startOutboxRelay({ store: outbox, transport: relayTransport });

// The inventory service consumes from the same log.
const bus = createBus<InventoryEvents>({
  transport: createSqliteTransport({ path: broker }),
  group: 'inventory',
});
registerInventory(bus, inventoryDb);
let handled = 0;
bus.on('order.placed', () => void handled++, { name: 'count', topic: 'orders', from: 'earliest' });
await bus.start();

const placed = placeOrder(ordersDb, outbox, { orderId: 'o-1', lines: [{ sku: 'apple', quantity: 3 }] });
console.log(`placed o-1 (${placed})`);
placeOrder(ordersDb, outbox, { orderId: 'o-2', lines: [{ sku: 'pear', quantity: 2 }] });
console.log('placed o-2');
try {
  placeOrder(ordersDb, outbox, { orderId: 'o-3', lines: [{ sku: 'apple', quantity: 0 }] });
} catch (error) {
  console.log(`rolled back o-3: ${(error as Error).message}`);
}

const waitUntil = async (check: () => boolean | Promise<boolean>): Promise<void> => {
  const deadline = Date.now() + 20_000;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error('timed out');
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
};
await waitUntil(() => handled === 2);

// A relay that crashed between publishing and marking publishes the row again, same event id.
ordersDb.prepare('UPDATE eddy_outbox SET published_at = NULL WHERE event_id = ?').run(placed);
relay.wake();
await waitUntil(() => handled === 3);
console.log('o-1 was delivered twice; the inbox applied it once');

await relay.stop();
await relayTransport.close();
await bus.stop();
await outbox.close();
const stock = inventoryDb.prepare('SELECT sku, available, reserved FROM stock ORDER BY sku').all() as {
  sku: string;
  available: number;
  reserved: number;
}[];
for (const row of stock)
  console.log(`stock ${row.sku}: available ${row.available}, reserved ${row.reserved}`);
const orders = ordersDb.prepare('SELECT id FROM orders ORDER BY id').all() as { id: string }[];
console.log(`orders: ${orders.map((row) => row.id).join(', ')}`);
ordersDb.close();
inventoryDb.close();
rmSync(dir, { recursive: true, force: true });
