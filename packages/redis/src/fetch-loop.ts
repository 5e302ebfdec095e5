import type { Redis } from 'ioredis';

/** What one `XREADGROUP` returns: per stream, its entries as raw buffers. */
export type ReadReply = [Buffer, [Buffer, Buffer[]][]][];

/** How often a member that owns no partition looks whether the group changed, ms. */
const IDLE_POLL_MS = 250;
/** How often the loop looks at the group's generation counter, ms. */
const GENERATION_CHECK_MS = 100;
/** Pause after a failed Redis call (a read, a claim) before trying again, ms. */
export const RETRY_PAUSE_MS = 200;

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
  const loop = new ReadLoop(options, Number(await options.blocking.client('ID')));
  options.advertiseClient(loop.clientId);
  options.blocking.on('ready', () => {
    options.blocking.client('ID').then(
      (id) => {
        loop.clientId = Number(id);
        options.advertiseClient(loop.clientId);
      },
      () => undefined,
    );
  });
  loop.begin();
  return loop;
}

/**
 * A class rather than closures: `wake` runs on every settlement, and methods are optimised once
 * for every subscription, where closures are optimised again per subscription (see `InFlight`).
 */
class ReadLoop implements FetchLoop {
  readonly #options: FetchLoopOptions;
  clientId: number;
  #stopped = false;
  #readBlocked = false;
  // Remembers a wake-up that came while the loop was busy, so it never sleeps through one.
  #woken = false;
  #resume: (() => void) | undefined = undefined;
  #generationCheckedAt = 0;
  #done: Promise<void> = Promise.resolve();

  constructor(options: FetchLoopOptions, clientId: number) {
    this.#options = options;
    this.clientId = clientId;
  }

  begin(): void {
    this.#done = this.#run();
  }

  wake(): void {
    this.#woken = true;
    const next = this.#resume;
    this.#resume = undefined;
    next?.();
  }

  interrupt(): void {
    this.wake();
    if (this.#readBlocked) {
      this.#options.redis
        .client('UNBLOCK', this.clientId)
        .catch((error: unknown) => this.#options.report(error, 'interrupting a read'));
    }
  }

  async stop(): Promise<void> {
    const { blocking, blockMs } = this.#options;
    this.#stopped = true;
    this.interrupt();
    // Should the unblock get lost (e.g. during a reconnect), dropping the connection ends the read.
    const stuck = setTimeout(() => blocking.disconnect(), blockMs * 2);
    await this.#done;
    clearTimeout(stuck);
    await blocking.quit().catch(() => blocking.disconnect());
  }

  #pause(ms: number): Promise<void> {
    return new Promise((resolve) => {
      if (this.#woken) {
        resolve();
        return;
      }
      const timer = setTimeout(() => {
        this.#resume = undefined;
        resolve();
      }, ms);
      this.#resume = () => {
        clearTimeout(timer);
        resolve();
      };
    });
  }

  async #checkGeneration(): Promise<void> {
    if (Date.now() - this.#generationCheckedAt < GENERATION_CHECK_MS) return;
    this.#generationCheckedAt = Date.now();
    this.#options.noteGeneration(await this.#options.blocking.get(this.#options.generationKey));
  }

  async #run(): Promise<void> {
    const options = this.#options;
    const { blocking } = options;
    while (!this.#stopped) {
      this.#woken = false;
      try {
        const streams = options.owned();
        const capacity = options.capacity();
        if (streams.length === 0) {
          await this.#checkGeneration();
          await this.#pause(IDLE_POLL_MS);
          continue;
        }
        if (capacity <= 0) {
          await this.#pause(options.blockMs);
          continue;
        }
        const generation = this.#checkGeneration();
        // COUNT applies per stream, so a read may bring up to streams.length - 1 more than the
        // capacity; the subscriber keeps them waiting, and maxInFlight still bounds running handlers.
        options.beforeRead(blocking);
        this.#readBlocked = true;
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
        this.#readBlocked = false;
        // Nothing came (timeout, or a joining member interrupted the read): look at the group now.
        if (reply === null) this.#generationCheckedAt = 0;
        else {
          options.accept(reply);
          // Handlers that settle at once free their slots before the next read sizes itself.
          await new Promise((resolve) => setImmediate(resolve));
        }
      } catch (error) {
        this.#readBlocked = false;
        if (this.#stopped) break;
        if (/NOGROUP/.test(String(error))) {
          await options
            .recreateGroup()
            .catch((cause: unknown) => options.report(cause, 'recreating the group'));
        } else options.report(error, 'reading messages');
        await new Promise((resolve) => setTimeout(resolve, RETRY_PAUSE_MS));
      }
    }
  }
}
