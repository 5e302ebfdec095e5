import { describe, expect, it } from 'vitest';
import { MAX_NAME_LENGTH } from '@eddy/core/internal';
import { TopologyNames } from '../src/names.js';

describe('TopologyNames', () => {
  const names = new TopologyNames('eddy');

  it('keeps short names readable and unambiguous', () => {
    expect(names.exchange('orders.created')).toBe('eddy/orders.created');
    expect(names.queue('orders.created', 'billing', 3)).toBe('eddy/orders.created/billing/3');
    // "a.b" + "c" and "a" + "b.c" must not meet in one queue.
    expect(names.queue('a.b', 'c', 0)).not.toBe(names.queue('a', 'b.c', 0));
  });

  it('shortens names past 255 bytes with a hash, keeping them distinct and the partition suffix intact', () => {
    const topic = 't'.repeat(MAX_NAME_LENGTH);
    const groupA = `${'g'.repeat(MAX_NAME_LENGTH - 1)}a`;
    const groupB = `${'g'.repeat(MAX_NAME_LENGTH - 1)}b`;
    const a = names.queue(topic, groupA, 12);
    const b = names.queue(topic, groupB, 12);
    for (const name of [a, b, names.partitionLock(topic, groupA, 12), names.members(topic, groupA)]) {
      expect(Buffer.byteLength(name)).toBeLessThanOrEqual(255);
    }
    expect(a).not.toBe(b);
    expect(a.endsWith('/12')).toBe(true);
    expect(names.partitionLock(topic, groupA, 12).endsWith('/12/lock')).toBe(true);
  });
});
