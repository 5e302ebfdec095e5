import { describe, expect, it } from 'vitest';
import { MAX_NAME_LENGTH } from '@eddy/core/internal';
import { TopologyNames } from '../src/names.js';
import { isCiValue, onCi, rabbitAvailable } from './helpers.js';

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

describe('test environment', () => {
  it('reads CI as a flag, so CI=false or CI=0 is not CI', () => {
    expect([undefined, '', 'false', 'FALSE', '0', 'no'].map((value) => isCiValue(value))).toEqual([
      false,
      false,
      false,
      false,
      false,
      false,
    ]);
    expect(['true', '1', 'yes', 'github'].map((value) => isCiValue(value))).toEqual([true, true, true, true]);
  });

  it('probes the host and port of the configured URL', async () => {
    // Port 1 on loopback is closed: the probe must report it down instead of checking 5672.
    await expect(rabbitAvailable('amqp://guest:guest@127.0.0.1:1').catch(() => 'threw')).resolves.toBe(
      onCi() ? 'threw' : false,
    );
  });
});
