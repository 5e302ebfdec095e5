import { describe, expect, it } from 'vitest';
import { OffsetTracker } from '../src/offset-tracker.js';

describe('OffsetTracker', () => {
  it('commits only past a contiguous run of acknowledged offsets', () => {
    const tracker = new OffsetTracker();
    for (const offset of ['10', '11', '12', '13']) tracker.track(offset);
    tracker.ack('12');
    tracker.ack('11');
    expect(tracker.committable()).toBeUndefined();
    tracker.ack('10');
    expect(tracker.committable()).toBe('13');
    tracker.markCommitted('13');
    expect(tracker.committable()).toBeUndefined();
    tracker.ack('13');
    expect(tracker.committable()).toBe('14');
    expect(tracker.outstanding).toBe(0);
  });

  it('tolerates gaps between offsets (compacted topics, transaction markers)', () => {
    const tracker = new OffsetTracker();
    for (const offset of ['5', '9', '20']) tracker.track(offset);
    tracker.ack('9');
    tracker.ack('5');
    expect(tracker.committable()).toBe('10');
    expect(tracker.outstanding).toBe(1);
  });

  it('ignores acks of offsets it does not track, and repeated acks', () => {
    const tracker = new OffsetTracker();
    tracker.track('1');
    tracker.track('2');
    tracker.ack('7');
    tracker.ack('2');
    tracker.ack('2');
    expect(tracker.committable()).toBeUndefined();
    tracker.ack('1');
    expect(tracker.committable()).toBe('3');
  });

  it('handles offsets beyond 2^53', () => {
    const tracker = new OffsetTracker();
    tracker.track('9007199254740993');
    tracker.ack('9007199254740993');
    expect(tracker.committable()).toBe('9007199254740994');
  });

  it('refuses offsets that do not ascend', () => {
    const tracker = new OffsetTracker();
    tracker.track('4');
    expect(() => tracker.track('4')).toThrow(RangeError);
    tracker.ack('4');
    expect(() => tracker.track('3')).toThrow(RangeError);
  });

  it('keeps the commit behind a stuck message however many later ones finish', () => {
    const tracker = new OffsetTracker();
    for (let offset = 0; offset < 1000; offset += 1) tracker.track(String(offset));
    for (let offset = 999; offset >= 1; offset -= 1) tracker.ack(String(offset));
    expect(tracker.committable()).toBeUndefined();
    tracker.ack('0');
    expect(tracker.committable()).toBe('1000');
  });
});

describe('OffsetTracker.nextOffset', () => {
  it('reports the fetch position even after the commit caught up', () => {
    const tracker = new OffsetTracker();
    expect(tracker.nextOffset()).toBeUndefined();
    tracker.track('3');
    tracker.ack('3');
    tracker.markCommitted('4');
    expect(tracker.committable()).toBeUndefined();
    expect(tracker.nextOffset()).toBe('4');
  });
});
