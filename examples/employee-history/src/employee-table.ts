import type { Database } from 'better-sqlite3';
import type { Projection, RecordedEvent } from '@eddy/core/event-sourcing';
import type { SqliteInlineProjection } from '@eddy/sqlite';
import { employee, type EmployeeEvent } from './employee.js';

/** The employee table of the source notes, as a read model: current state only, one row each. */
export interface EmployeeRow {
  readonly emp_id: number;
  readonly first_name: string;
  readonly last_name: string;
  readonly address: string;
  readonly role: string;
  readonly date_join: string;
}

export function createEmployeeTable(db: Database, table = 'employee'): void {
  db.exec(`CREATE TABLE IF NOT EXISTS ${table} (
    emp_id INTEGER PRIMARY KEY, first_name TEXT NOT NULL, last_name TEXT NOT NULL,
    address TEXT NOT NULL, role TEXT NOT NULL, date_join TEXT NOT NULL)`);
}

const empIdOf = (streamId: string): number => Number(streamId.slice('employee-'.length));

/** Folds one event into the table row: load the row as state, evolve, write it back. */
function apply(db: Database, table: string, event: RecordedEvent): void {
  const id = empIdOf(event.streamId);
  const row = db.prepare<[number], EmployeeRow>(`SELECT * FROM ${table} WHERE emp_id = ?`).get(id);
  const state =
    row === undefined
      ? employee.initialState()
      : {
          hired: true,
          firstName: row.first_name,
          lastName: row.last_name,
          address: row.address,
          role: row.role,
          dateJoin: row.date_join,
        };
  const next = employee.evolve(state, event as unknown as EmployeeEvent);
  db.prepare(
    `INSERT INTO ${table} (emp_id, first_name, last_name, address, role, date_join) VALUES (?, ?, ?, ?, ?, ?)
     ON CONFLICT (emp_id) DO UPDATE SET first_name = excluded.first_name, last_name = excluded.last_name,
       address = excluded.address, role = excluded.role, date_join = excluded.date_join`,
  ).run(id, next.firstName, next.lastName, next.address, next.role, next.dateJoin);
}

/** Keeps `employee` current inside every append's transaction: it is never behind the events. */
export const employeeTableInline: SqliteInlineProjection = {
  name: 'employee-table',
  category: 'employee',
  handle(events, db) {
    for (const event of events) apply(db, 'employee', event);
  },
};

/** The same table as an async projection, to rebuild it (or a new version of it) from the events. */
export function employeeTableProjection(db: Database, table: string): Projection {
  return {
    name: `employee-table:${table}`,
    category: 'employee',
    handle: (event) => apply(db, table, event),
    reset: () => void db.exec(`DELETE FROM ${table}`),
  };
}

export function readEmployeeTable(db: Database, table = 'employee'): EmployeeRow[] {
  return db.prepare<[], EmployeeRow>(`SELECT * FROM ${table} ORDER BY emp_id`).all();
}
