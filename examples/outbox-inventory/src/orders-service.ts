import type { Database } from 'better-sqlite3';
import type { SqliteOutbox } from '@eddy/sqlite';

export interface OrderLine {
  readonly sku: string;
  readonly quantity: number;
}

export interface PlaceOrder {
  readonly orderId: string;
  readonly lines: readonly OrderLine[];
}

/** The order service's own tables. */
export function createOrderTables(db: Database): void {
  db.exec(`CREATE TABLE IF NOT EXISTS orders (
    id TEXT PRIMARY KEY,
    lines TEXT NOT NULL,
    placed_at TEXT NOT NULL
  )`);
}

/**
 * Saves the order and records `order.placed` in one transaction: both commit, or neither does.
 * Nothing is published here; the relay publishes the outbox row after the commit.
 */
export function placeOrder(db: Database, outbox: SqliteOutbox, command: PlaceOrder): string {
  const place = db.transaction(() => {
    db.prepare('INSERT INTO orders (id, lines, placed_at) VALUES (?, ?, ?)').run(
      command.orderId,
      JSON.stringify(command.lines),
      new Date().toISOString(),
    );
    const [event] = outbox.add(db, [
      {
        topic: 'orders',
        event: {
          source: '/orders',
          type: 'order.placed',
          partitionkey: command.orderId,
          data: { orderId: command.orderId, lines: command.lines },
        },
      },
    ]);
    // A business rule checked after the writes: throwing rolls back the order and its event together.
    if (command.lines.some((line) => line.quantity <= 0)) {
      throw new Error(`order ${command.orderId} has a line without a positive quantity`);
    }
    return event!.id;
  });
  return place.immediate();
}
