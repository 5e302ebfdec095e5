import { randomBytes } from 'node:crypto';
import type { EventStore } from '@eddy/core/event-sourcing';
import { afterEach } from 'vitest';
import type { EventStoreConformanceOptions } from './options.js';

/** A stream category no other test uses (letters and digits only, as categories need). */
export function uniqueCategory(prefix = 'c'): string {
  return `${prefix}${randomBytes(6).toString('hex')}`;
}

/** A stream id in its own fresh category. */
export function uniqueStream(category = uniqueCategory()): string {
  return `${category}-${randomBytes(4).toString('hex')}`;
}

/** Opens stores for tests and closes them after each one. */
export class EventStoreHarness {
  private readonly open: EventStore[] = [];

  constructor(private readonly options: EventStoreConformanceOptions) {}

  install(): void {
    afterEach(async () => {
      const stores = this.open.splice(0);
      await Promise.all(stores.map((store) => store.close()));
    });
  }

  async store(): Promise<EventStore> {
    const store = await this.options.createStore();
    this.open.push(store);
    return store;
  }
}
