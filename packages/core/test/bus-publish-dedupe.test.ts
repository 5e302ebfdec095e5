import { describe, expect, it } from 'vitest';
import { createBus, ErrorCodes, isEddyError } from '@eddy/core';
import { createMemoryTransport } from '@eddy/core/testing';
import { unique, waitFor } from './bus-test-helpers.js';

interface Events {
  'profile.changed': { id: string; name: string };
}

function codeOf(error: unknown): string | undefined {
  return isEddyError(error) ? error.code : undefined;
}

describe('publish-time dedupe', () => {
  it("drops a repeat and debounces a burst ('extend') into its last event", async () => {
    const topic = unique('profiles');
    const bus = createBus<Events>({
      transport: createMemoryTransport(),
      group: unique('g'),
      topicFor: () => topic,
    });
    const names: string[] = [];
    bus.on('profile.changed', (event) => void names.push(event.data.name), { from: 'earliest' });
    await bus.start();
    const first = await bus.publish(
      'profile.changed',
      { id: 'p1', name: 'a' },
      { dedupe: { key: 'p1', ttlMs: 60_000 } },
    );
    const repeat = await bus.publish(
      'profile.changed',
      { id: 'p1', name: 'b' },
      { dedupe: { key: 'p1', ttlMs: 60_000 } },
    );
    expect([repeat.partition, repeat.offset]).toEqual([first.partition, first.offset]);
    const debounce = { key: 'p2', ttlMs: 100, mode: 'extend' } as const;
    for (const name of ['x', 'y', 'z'])
      await bus.publish('profile.changed', { id: 'p2', name }, { dedupe: debounce });
    await waitFor(() => names.includes('z'), 5_000, 'the debounced event');
    // A plain event due after the debounced one: once it arrives, x and y would have too.
    await bus.publish('profile.changed', { id: 'p3', name: 'marker' }, { deliverAt: Date.now() + 150 });
    await waitFor(() => names.includes('marker'), 5_000, 'the marker');
    await bus.stop();
    expect(names).toEqual(['a', 'z', 'marker']);
  });

  it('rejects dedupe with EDDY_NOT_SUPPORTED on a transport without publishDedupe, and bad options with EDDY_INVALID_OPTION', async () => {
    const plain = createBus<Events>({
      transport: createMemoryTransport({ capabilities: { publishDedupe: false } }),
    });
    const refused = await plain
      .publish('profile.changed', { id: 'p', name: 'n' }, { dedupe: { key: 'p', ttlMs: 1_000 } })
      .catch((error: unknown) => error);
    expect(codeOf(refused)).toBe(ErrorCodes.NotSupported);
    const bus = createBus<Events>({ transport: createMemoryTransport() });
    const bad = await bus
      .publish('profile.changed', { id: 'p', name: 'n' }, { dedupe: { key: 'p', ttlMs: 0 } })
      .catch((error: unknown) => error);
    expect(codeOf(bad)).toBe(ErrorCodes.InvalidOption);
    await Promise.all([plain.stop(), bus.stop()]);
  });
});
