import { type StartPosition } from '@eddy/core';
import { InvalidOptionError } from '@eddy/core/internal';

/** Reads the `from` query parameter: `earliest`, `latest`, epoch ms, or an RFC 3339 time. */
export function parseStartPosition(from: string | undefined): StartPosition {
  if (from === undefined || from === '' || from === 'latest') return 'latest';
  if (from === 'earliest') return 'earliest';
  const time = /^\d+$/.test(from) ? Number(from) : Date.parse(from);
  // 8.64e15 ms is the farthest a Date reaches; beyond it a backend's time arithmetic breaks.
  if (!Number.isFinite(time) || Math.abs(time) > 8.64e15) {
    throw new InvalidOptionError(
      `from must be "earliest", "latest", epoch milliseconds or an RFC 3339 time, got "${from}".`,
    );
  }
  return { time };
}
