import { mkdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

// Test files run in parallel, and one of them restarts RabbitMQ. Every RabbitMQ test file holds
// this lock for its whole run, so the restart never hits another file's tests.
const LOCK_DIR = join(tmpdir(), 'eddy-rabbitmq-tests.lock');
const OWNER_FILE = join(LOCK_DIR, 'owner');
/** How long a test file waits for the others; hooks that take the lock need a longer timeout. */
export const LOCK_WAIT_MS = 240_000;
/** Timeout for a hook that calls lockBroker(). */
export const LOCK_HOOK_TIMEOUT_MS = LOCK_WAIT_MS + 10_000;
// A lock directory without an owner file younger than this is being created right now.
const CREATING_GRACE_MS = 5_000;

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

function stale(): boolean {
  try {
    const pid = Number(readFileSync(OWNER_FILE, 'utf8'));
    return !Number.isInteger(pid) || !alive(pid);
  } catch {
    try {
      return Date.now() - statSync(LOCK_DIR).mtimeMs > CREATING_GRACE_MS;
    } catch {
      return false;
    }
  }
}

/** Waits (polling, up to `timeoutMs`) for the lock, and returns its release function. */
export async function lockBroker(timeoutMs = LOCK_WAIT_MS): Promise<() => void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      mkdirSync(LOCK_DIR);
      writeFileSync(OWNER_FILE, String(process.pid));
      let released = false;
      return () => {
        if (released) return;
        released = true;
        rmSync(LOCK_DIR, { recursive: true, force: true });
      };
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
    }
    if (stale()) {
      rmSync(LOCK_DIR, { recursive: true, force: true });
      continue;
    }
    if (Date.now() > deadline) throw new Error(`Timed out waiting for the RabbitMQ test lock ${LOCK_DIR}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}
