import { ErrorCodes, isEddyError } from '@eddy/core';
import { compareOffsets, createGate, waitFor } from '@eddy/conformance';
import { describe, expect, it } from 'vitest';

describe('waitFor', () => {
  it('resolves as soon as the predicate holds, async predicates included', async () => {
    let calls = 0;
    await waitFor(async () => ++calls >= 3, { intervalMs: 1 });
    expect(calls).toBe(3);
  });

  it('rejects with EDDY_TIMEOUT naming what it waited for', async () => {
    const error: unknown = await waitFor(() => false, { timeoutMs: 30, description: () => 'the moon' }).catch(
      (caught: unknown) => caught,
    );
    expect(isEddyError(error, ErrorCodes.Timeout)).toBe(true);
    expect((error as Error).message).toContain('the moon');
  });
});

describe('compareOffsets', () => {
  it('orders digit runs as numbers and the rest as text', () => {
    const sorted = ['10', '9', '1700000000000-2', '1700000000000-10', '100000000000000000001', '2'].sort(
      compareOffsets,
    );
    expect(sorted).toEqual(['2', '9', '10', '1700000000000-2', '1700000000000-10', '100000000000000000001']);
    expect(compareOffsets('7', '7')).toBe(0);
    expect(compareOffsets('a', 'b')).toBeLessThan(0);
  });
});

describe('createGate', () => {
  it('holds until opened', async () => {
    const gate = createGate();
    let passed = false;
    const waiting = gate.promise.then(() => (passed = true));
    expect(gate.isOpen).toBe(false);
    gate.open();
    await waiting;
    expect(passed && gate.isOpen).toBe(true);
  });
});
