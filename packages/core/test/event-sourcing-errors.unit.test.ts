import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { EddyError, ErrorCodes } from '@eddy/core';
import {
  EventIdConflictError,
  StreamDeletedError,
  WrongExpectedVersionError,
} from '@eddy/core/event-sourcing';

const guide = readFileSync(new URL('../../../docs/guides/event-sourcing.md', import.meta.url), 'utf8');

describe('event sourcing error codes', () => {
  it('are documented in docs/guides/event-sourcing.md', () => {
    const undocumented = [
      ErrorCodes.WrongExpectedVersion,
      ErrorCodes.StreamDeleted,
      ErrorCodes.EventIdConflict,
    ].filter((code) => !guide.includes(`\`${code}\``));
    expect(undocumented).toEqual([]);
  });

  it('are carried by typed EddyErrors with the details to act on', () => {
    const conflict = new WrongExpectedVersionError('order-1', 'no_stream', 3);
    expect(conflict).toBeInstanceOf(EddyError);
    expect(conflict).toMatchObject({
      code: 'EDDY_WRONG_EXPECTED_VERSION',
      name: 'WrongExpectedVersionError',
      streamId: 'order-1',
      expected: 'no_stream',
      actual: 3,
      retriable: true,
    });
    expect(conflict.message).toBe(
      'Stream "order-1" expected "no_stream" but is at version 3. Another writer appended first: ' +
        'reload the stream, decide again and retry (commandHandler does this with { retry }).',
    );
    expect(new WrongExpectedVersionError('s', 2, 5).message).toContain(
      'expected version 2 but is at version 5',
    );
    expect(new StreamDeletedError('s')).toMatchObject({ code: 'EDDY_STREAM_DELETED', retriable: false });
    expect(new EventIdConflictError('s', 'e1')).toMatchObject({
      code: 'EDDY_EVENT_ID_CONFLICT',
      eventId: 'e1',
    });
  });
});
