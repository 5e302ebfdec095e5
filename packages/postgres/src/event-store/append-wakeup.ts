import type pg from 'pg';
import { listenClient } from '../connection.js';
import { NotifyListener } from '../notify-listener.js';

/** The `onAppended` listeners of one store, woken by its own appends and, via NOTIFY, by others'. */
export interface AppendWakeup {
  /** The NOTIFY channel appends signal on. */
  readonly channel: string;
  add(listener: () => void): () => void;
  /** Wakes the listeners after an append in this process. */
  appended(): void;
  close(): Promise<void>;
}

export function createAppendWakeup(pool: pg.Pool, schema: string, listen: boolean): AppendWakeup {
  const listeners = new Set<() => void>();
  const channel = `${schema}_es_appended`;
  const wakeAll = (): void => {
    for (const listener of listeners) listener();
  };
  // Started with the first listener; a lost connection only slows wake-ups down to polling.
  let notifications: NotifyListener | undefined;
  let closed = false;
  const startListening = (): void => {
    if (!listen || closed || notifications !== undefined) return;
    const started = new NotifyListener({
      createClient: () => listenClient(pool),
      channel,
      onNotify: wakeAll,
      onReconnect: wakeAll,
      reconnectDelayMs: 100,
      maxReconnectDelayMs: 5_000,
      report: () => undefined,
    });
    notifications = started;
    started.start().catch(() => {
      if (notifications === started) notifications = undefined;
    });
  };
  return {
    channel,
    add(listener) {
      listeners.add(listener);
      startListening();
      return () => listeners.delete(listener);
    },
    appended() {
      for (const listener of listeners) queueMicrotask(listener);
    },
    async close() {
      closed = true;
      listeners.clear();
      await notifications?.close();
    },
  };
}
