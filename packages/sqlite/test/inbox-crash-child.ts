// Consumes `payment.captured` events with a side effect in app.db, and kills itself with SIGKILL
// right after the side effect of its N-th new event committed, before the ack. One event at a time:
// with several in flight, other handlers could commit effects between the N-th and the kill, and a
// consumer that ran early could leave the next one nothing new to die on.
// Args: <log db> <app db> <topic> <mode: transactional|plain> <kill after N new effects, 0 = never>
import { writeSync } from 'node:fs';
import { createBus } from '@eddy/core';
import { createSqliteTransactionalInbox, createSqliteTransport, openInboxDatabase } from '@eddy/sqlite';

interface Events {
  'payment.captured': { paymentId: string };
}

const [logPath, appPath, topic, mode, killAfterText] = process.argv.slice(2) as [
  string,
  string,
  string,
  'transactional' | 'plain',
  string,
];
const killAfter = Number(killAfterText);
const db = openInboxDatabase(appPath);
db.exec('CREATE TABLE IF NOT EXISTS effects (event_id TEXT NOT NULL, payment_id TEXT NOT NULL)');
const insert = db.prepare<[string, string]>('INSERT INTO effects (event_id, payment_id) VALUES (?, ?)');
const inbox = createSqliteTransactionalInbox({ database: db });
const transport = createSqliteTransport({ path: logPath, partitions: 2 });
const bus = createBus<Events>({ transport, topicFor: () => topic, group: 'ledger' });

let applied = 0;
const afterEffect = (eventId: string): void => {
  applied++;
  writeSync(1, `applied ${eventId}\n`);
  if (applied === killAfter) process.kill(process.pid, 'SIGKILL');
};

if (mode === 'transactional') {
  bus.on(
    'payment.captured',
    inbox.handler((event, _ctx, tx) => {
      insert.run(event.id, event.data.paymentId);
      void tx;
    }),
    {
      from: 'earliest',
      ackTimeoutMs: 1_000,
      maxInFlight: 1,
      middleware: [
        (next) => async (event, ctx) => {
          await next(event, ctx);
          if (ctx.outcome.duplicate) writeSync(1, `duplicate ${event.id}\n`);
          else afterEffect(event.id);
        },
      ],
    },
  );
} else {
  bus.on(
    'payment.captured',
    (event) => {
      insert.run(event.id, event.data.paymentId);
      afterEffect(event.id);
    },
    { from: 'earliest', ackTimeoutMs: 1_000, maxInFlight: 1 },
  );
}
await bus.start();
writeSync(1, 'ready\n');
