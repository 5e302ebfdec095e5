import type { Database } from 'better-sqlite3';
import type { Bus } from '@eddy/core';
import { createSqliteTransactionalInbox } from '@eddy/sqlite';
import type { OrderLine } from './orders-service.js';

export interface InventoryEvents {
  'order.placed': { orderId: string; lines: OrderLine[] };
}

/** The inventory service's own tables, with some stock. */
export function createInventoryTables(db: Database, stock: Readonly<Record<string, number>>): void {
  db.exec(`CREATE TABLE IF NOT EXISTS stock (sku TEXT PRIMARY KEY, available INTEGER NOT NULL, reserved INTEGER NOT NULL);
    CREATE TABLE IF NOT EXISTS reservations (order_id TEXT NOT NULL, sku TEXT NOT NULL, quantity INTEGER NOT NULL)`);
  const insert = db.prepare('INSERT OR IGNORE INTO stock (sku, available, reserved) VALUES (?, ?, 0)');
  for (const [sku, available] of Object.entries(stock)) insert.run(sku, available);
}

/**
 * Reserves stock for each placed order through a transactional inbox: the reservation rows, the
 * stock update and the "processed" mark commit together, so a redelivered `order.placed` (a relay
 * that published twice, a consumer that crashed before its ack) changes nothing the second time.
 */
export function registerInventory(bus: Bus<InventoryEvents>, db: Database): void {
  const inbox = createSqliteTransactionalInbox({ database: db });
  const reserve = db.prepare('INSERT INTO reservations (order_id, sku, quantity) VALUES (?, ?, ?)');
  const take = db.prepare(
    'UPDATE stock SET available = available - ?, reserved = reserved + ? WHERE sku = ?',
  );
  bus.on(
    'order.placed',
    inbox.handler((event) => {
      for (const line of event.data.lines) {
        reserve.run(event.data.orderId, line.sku, line.quantity);
        take.run(line.quantity, line.quantity, line.sku);
      }
    }),
    { name: 'reserve-stock', topic: 'orders', from: 'earliest' },
  );
}
