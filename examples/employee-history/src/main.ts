import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { commandHandler, everyNEvents, rebuildProjection, type EventStore } from '@eddy/core/event-sourcing';
import {
  createSqliteCheckpointStore,
  createSqliteEventStore,
  createSqliteSnapshotStore,
  openEventStoreDatabase,
} from '@eddy/sqlite';
import { employee, type EmployeeCommand } from './employee.js';
import {
  createEmployeeTable,
  employeeTableInline,
  employeeTableProjection,
  readEmployeeTable,
  type EmployeeRow,
} from './employee-table.js';
import { previousValue, stateOn } from './history.js';

// A database file given as the first argument is kept; otherwise the demo uses a temporary one.
const given = process.argv[2];
const tempDir = given === undefined ? mkdtempSync(join(tmpdir(), 'eddy-employee-')) : undefined;
const db = openEventStoreDatabase(given ?? join(tempDir!, 'employee-history.db'));
createEmployeeTable(db);
const store: EventStore = createSqliteEventStore({ database: db, inlineProjections: [employeeTableInline] });
const handle = commandHandler({
  store,
  decider: employee,
  retry: true,
  snapshots: { store: createSqliteSnapshotStore({ database: db }), policy: everyNEvents(2) },
});

// The history behind the notes' table: what the table alone cannot tell.
const history: [number, EmployeeCommand][] = [
  [
    2,
    {
      type: 'Hire',
      firstName: 'sahra',
      lastName: 'adsf',
      address: 'incheon',
      role: 'frontend',
      on: '2001-05-23',
    },
  ],
  [
    3,
    {
      type: 'Hire',
      firstName: 'culre',
      lastName: 'park',
      address: 'incheon',
      role: 'data',
      on: '2003-09-23',
    },
  ],
  [
    1,
    {
      type: 'Hire',
      firstName: 'john',
      lastName: 'smith',
      address: 'seoul',
      role: 'cloud engineer',
      on: '2009-04-23',
    },
  ],
  [3, { type: 'Rename', firstName: 'culre', lastName: 'basf', on: '2010-10-10' }],
  [1, { type: 'ChangeRole', role: 'backend', on: '2012-03-01' }],
  [2, { type: 'Move', address: 'busan', on: '2015-07-01' }],
];
if (!(await store.readStream('employee-1')).exists) {
  for (const [id, command] of history) await handle(`employee-${id}`, command);
}

const show = (rows: readonly EmployeeRow[]): string =>
  [
    '| emp_id | first_name | last_name | address | role | date_join |',
    ...rows.map(
      (r) => `| ${r.emp_id} | ${r.first_name} | ${r.last_name} | ${r.address} | ${r.role} | ${r.date_join} |`,
    ),
  ].join('\n');

const table = readEmployeeTable(db);
console.log(`employee table (kept by an inline projection):\n${show(table)}`);

// Rebuild the table from nothing but the events, beside the live one, and compare.
createEmployeeTable(db, 'employee_rebuilt');
const checkpoints = createSqliteCheckpointStore({ database: db });
await rebuildProjection(store, employeeTableProjection(db, 'employee_rebuilt'), { checkpoints });
const rebuilt = readEmployeeTable(db, 'employee_rebuilt');
const events = (await store.readAll({ category: 'employee' })).length;
const same = JSON.stringify(rebuilt) === JSON.stringify(table);
console.log(`rebuilt from ${events} events: ${same ? 'same as the live table' : 'DIFFERENT'}`);

const name = (e: { firstName: string; lastName: string }) => `${e.firstName} ${e.lastName}`;
console.log(`john's previous role: ${await previousValue(store, 'employee-1', (e) => e.role)}`);
console.log(`sahra's previous address: ${await previousValue(store, 'employee-2', (e) => e.address)}`);
console.log(`culre's previous name: ${await previousValue(store, 'employee-3', name)}`);
const john2010 = await stateOn(store, 'employee-1', '2010-01-01');
console.log(`john on 2010-01-01: ${john2010.role} in ${john2010.address}`);
const sahra2014 = await stateOn(store, 'employee-2', '2014-12-31');
console.log(`sahra on 2014-12-31: ${sahra2014.role} in ${sahra2014.address}`);
const john2005 = await stateOn(store, 'employee-1', '2005-01-01');
console.log(`john on 2005-01-01: ${john2005.hired ? john2005.role : 'not hired yet'}`);

await store.close();
db.close();
if (tempDir !== undefined) rmSync(tempDir, { recursive: true, force: true });
