// A service that stops gracefully on SIGTERM. Args: <mode: finish|deadline>
// finish: in-flight handlers finish before exit. deadline: a handler that never ends is aborted.
import { writeSync } from 'node:fs';
import { setTimeout as sleep } from 'node:timers/promises';
import { createBus, stopOnSignals } from '@eddy/core';
import { createMemoryTransport } from '@eddy/core/testing';

interface Events {
  'job.queued': { n: number };
}

const mode = process.argv[2] as 'finish' | 'deadline';
const say = (line: string): void => void writeSync(1, `${line}\n`);
const bus = createBus<Events>({ transport: createMemoryTransport() });
bus.on(
  'job.queued',
  async (event, ctx) => {
    say(`started ${event.data.n}`);
    if (mode === 'finish') {
      await sleep(300);
      say(`finished ${event.data.n}`);
      return;
    }
    await new Promise<void>((resolve) => ctx.signal.addEventListener('abort', () => resolve()));
    say(`aborted ${event.data.n}`);
  },
  { maxInFlight: 2 },
);
stopOnSignals([bus], {
  deadlineMs: mode === 'finish' ? 5_000 : 200,
  exit: (code) => {
    say(`exit ${code}`);
    process.exit(code);
  },
});
await bus.start();
for (let n = 0; n < 2; n++) await bus.publish('job.queued', { n });
say('ready');
