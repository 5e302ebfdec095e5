import type { Redis } from 'ioredis';

/** What one `XREADGROUP` returns: per stream, its entries as raw buffers. */
export type ReadReply = [Buffer, [Buffer, Buffer[]][]][];

/** How often a member that owns no partition looks whether the group changed, ms. */
const IDLE_POLL_MS = 250;
/** How often the loop looks at the group's generation counter, ms. */
const GENERATION_CHECK_MS = 100;
/** Pause after a failed read before the next one, ms. */
const RETRY_PAUSE_MS = 200;

export interface FetchLoopOptions {
  /** The subscription's own connection: `XREADGROUP BLOCK` never holds up publishers or acks. */
  readonly blocking: Redis;
  /** The shared connection, used to interrupt a blocking read (`CLIENT UNBLOCK`). */
  readonly redis: Redis;
  readonly group: string;
  readonly memberId: string;
  readonly blockMs: number;
  readonly generationKey: string;
  /** Stream keys of the partitions this member owns now. */
  owned(): string[];
  /** How many more messages the subscriber may take now. */
  capacity(): number;
  accept(reply: ReadReply): void;
  /** Runs just before each read, with the connection the read goes out on. */
  beforeRead(connection: Redis): void;
  noteGeneration(value: string | null): void;
  /** The blocking connection's client id, after connecting and after every reconnect. */
  advertiseClient(clientId: number): void;
  /** The group vanished (Redis lost its data): create it again. */
  recreateGroup(): Promise<void>;
  report(error: unknown, doing: string): void;
}

export interface FetchLoop {
  /** The loop should look again now: capacity freed or ownership changed. */
  wake(): void;
  /** Like `wake`, and also ends a blocking read in progress. */
  interrupt(): void;
  /** Stops the loop and closes its connection; resolves when both are done. */
  stop(): Promise<void>;
}

/** Reads new entries of the owned partitions for as long as there is room, blocking while there are none. */
export async function startFetchLoop(options: FetchLoopOptions): Promise<FetchLoop> {
  const { blocking, redis } = options;
  let stopped = false;
  let readBlocked = false;
  // Remembers a wake-up that came while the loop was busy, so it never sleeps through one.
  let woken = false;
  let resume: (() => void) | undefined;
  let generationCheckedAt = 0;
  let clientId = Number(await blocking.client('ID'));
  options.advertiseClient(clientId);
  blocking.on('ready', () => {
    blocking.client('ID').then(
      (id) => {
        clientId = Number(id);
        options.advertiseClient(clientId);
      },
      () => undefined,
    );
  });

  const wake = (): void => {
    woken = true;
    const next = resume;
    resume = undefined;
    next?.();
  };
  const pause = (ms: number): Promise<void> =>
    new Promise((resolve) => {
      if (woken) {
        resolve();
        return;
      }
      const timer = setTimeout(() => {
        resume = undefined;
        resolve();
      }, ms);
      resume = () => {
        clearTimeout(timer);
        resolve();
      };
    });
  const checkGeneration = async (): Promise<void> => {
    if (Date.now() - generationCheckedAt < GENERATION_CHECK_MS) return;
    generationCheckedAt = Date.now();
    options.noteGeneration(await blocking.get(options.generationKey));
  };

  const run = async (): Promise<void> => {
    while (!stopped) {
      woken = false;
      try {
        const streams = options.owned();
        const capacity = options.capacity();
        if (streams.length === 0) {
          await checkGeneration();
          await pause(IDLE_POLL_MS);
          continue;
        }
        if (capacity <= 0) {
          await pause(options.blockMs);
          continue;
        }
        const generation = checkGeneration();
        // COUNT applies per stream, so a read may bring up to streams.length - 1 more than the
        // capacity; the subscriber keeps them waiting, and maxInFlight still bounds running handlers.
        options.beforeRead(blocking);
        readBlocked = true;
        const read = blocking.callBuffer(
          'XREADGROUP',
          'GROUP',
          options.group,
          options.memberId,
          'COUNT',
          Math.max(1, Math.floor(capacity / streams.length)),
          'BLOCK',
          options.blockMs,
          'STREAMS',
          ...streams,
          ...streams.map(() => '>'),
        );
        await generation;
        const reply = (await read) as ReadReply | null;
        readBlocked = false;
        // Nothing came (timeout, or a joining member interrupted the read): look at the group now.
        if (reply === null) generationCheckedAt = 0;
        else {
          options.accept(reply);
          // Handlers that settle at once free their slots before the next read sizes itself.
          await new Promise((resolve) => setImmediate(resolve));
        }
      } catch (error) {
        readBlocked = false;
        if (stopped) break;
        if (/NOGROUP/.test(String(error))) {
          await options
            .recreateGroup()
            .catch((cause: unknown) => options.report(cause, 'recreating the group'));
        } else options.report(error, 'reading messages');
        await new Promise((resolve) => setTimeout(resolve, RETRY_PAUSE_MS));
      }
    }
  };
  const done = run();

  const interrupt = (): void => {
    wake();
    if (readBlocked) {
      redis
        .client('UNBLOCK', clientId)
        .catch((error: unknown) => options.report(error, 'interrupting a read'));
    }
  };

  return {
    wake,
    interrupt,
    async stop() {
      stopped = true;
      interrupt();
      // Should the unblock get lost (e.g. during a reconnect), dropping the connection ends the read.
      const stuck = setTimeout(() => blocking.disconnect(), options.blockMs * 2);
      await done;
      clearTimeout(stuck);
      await blocking.quit().catch(() => blocking.disconnect());
    },
  };
}
