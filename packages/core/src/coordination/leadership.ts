import type { LeaderLease } from './leader-lease.js';

/** Work that must run in one process at a time: started when elected, stopped when not any more. */
export interface SingletonTask {
  /** Names the task in logs. */
  readonly name: string;
  start(): void | Promise<void>;
  /** Resolves once the task has stopped working; must finish well within a third of the lease time. */
  stop(): Promise<void>;
}

/** How `Leadership` holds its lease. */
export interface LeadershipSettings {
  readonly lease: LeaderLease;
  /** Name of the lease, the same in every process that competes for it. */
  readonly name: string;
  /** This process, unique among those competing. */
  readonly holder: string;
  /** Lease time, ms: how long a crashed leader blocks the others. Renewed every third of it. */
  readonly ttlMs: number;
  readonly tasks: readonly SingletonTask[];
  /** Receives failures of the backend or of a task's start or stop. */
  readonly report: (error: unknown, doing: string) => void;
}

/**
 * Keeps trying to hold a leader lease and runs the tasks while it does. The lease is renewed every
 * `ttlMs / 3`; a leader told another holds it stops at once, and one that has not renewed for two
 * thirds of `ttlMs` (by its own clock, counted from when it sent the last successful renewal) stops its tasks, so they have stopped before the
 * lease can expire and another process take over. Two leaders never run at once as long as a
 * task's `stop()` takes less than a third of `ttlMs` and clocks run at the same rate.
 */
export class Leadership {
  readonly #settings: LeadershipSettings;
  #timer: NodeJS.Timeout | undefined;
  #watchdog: NodeJS.Timeout | undefined;
  #renewing = false;
  #leading = false;
  #transition: Promise<void> = Promise.resolve();
  #stopped = false;

  constructor(settings: LeadershipSettings) {
    this.#settings = settings;
  }

  /** True while the tasks run here (or are being started). */
  get leading(): boolean {
    return this.#leading;
  }

  start(): void {
    if (this.#timer !== undefined || this.#stopped) return;
    // Renewals go out at a fixed rate, whatever the previous one took, so a slow answer does not
    // push the next one past the step-down point.
    this.#timer = setInterval(() => void this.#renew(), Math.max(10, Math.floor(this.#settings.ttlMs / 3)));
    this.#timer.unref();
    void this.#renew();
  }

  async #renew(): Promise<void> {
    if (this.#renewing || this.#stopped) return;
    this.#renewing = true;
    const { lease, name, holder, ttlMs, report } = this.#settings;
    const sentAt = Date.now();
    let held: boolean | undefined;
    try {
      held = await lease.acquire(name, holder, ttlMs);
    } catch (error) {
      // Unknown outcome: the watchdog steps down if no renewal succeeds in time.
      report(error, `renewing the leader lease ${name}`);
    } finally {
      this.#renewing = false;
    }
    if (this.#stopped || held === undefined) return;
    if (!held) {
      if (this.#leading) await this.#depose();
      return;
    }
    // The backend counts the lease from when it received the request, which is after `sentAt`.
    const stepDownAt = sentAt + Math.floor((ttlMs * 2) / 3);
    clearTimeout(this.#watchdog);
    this.#watchdog = setTimeout(
      () => {
        if (this.#leading && !this.#stopped) void this.#depose();
      },
      Math.max(0, stepDownAt - Date.now()),
    );
    this.#watchdog.unref();
    if (!this.#leading) await this.#elect();
  }

  #elect(): Promise<void> {
    this.#leading = true;
    this.#transition = this.#transition.then(async () => {
      for (const task of this.#settings.tasks) {
        try {
          await task.start();
        } catch (error) {
          this.#settings.report(error, `starting ${task.name}`);
        }
      }
    });
    return this.#transition;
  }

  #depose(): Promise<void> {
    this.#leading = false;
    clearTimeout(this.#watchdog);
    this.#transition = this.#transition.then(async () => {
      await Promise.all(
        this.#settings.tasks.map((task) =>
          task.stop().catch((error: unknown) => this.#settings.report(error, `stopping ${task.name}`)),
        ),
      );
    });
    return this.#transition;
  }

  /** Stops the tasks (when leading) and gives the lease up, so another process takes over at once. */
  async stop(): Promise<void> {
    if (this.#stopped) return;
    this.#stopped = true;
    clearInterval(this.#timer);
    const wasLeading = this.#leading;
    if (wasLeading) await this.#depose();
    else await this.#transition;
    if (wasLeading) {
      await this.#settings.lease
        .release(this.#settings.name, this.#settings.holder)
        .catch((error: unknown) =>
          this.#settings.report(error, `releasing the leader lease ${this.#settings.name}`),
        );
    }
  }
}
