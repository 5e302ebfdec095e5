/** What Eddy reads from a JetStream delivery's reply subject. */
export interface DeliveryInfo {
  readonly deliveryCount: number;
  readonly streamSequence: number;
  /** The server's timestamp of the message, in ms since the epoch. */
  readonly publishedAtMs: number;
}

const ACK_PREFIX = '$JS.ACK.';
/** Dots of the older subject: `$JS.ACK.<stream>.<consumer>.<delivered>.<sseq>.<cseq>.<time>.<pending>`. */
const OLD_FORMAT_DOTS = 8;
/** Dots of the newer one, with `<domain>.<account hash>` after `ACK` and a random token at the end. */
const NEW_FORMAT_MIN_DOTS = 10;
const MAX_DOTS = 16;
// Reused: one parse runs at a time.
const dots = new Int32Array(MAX_DOTS);

/**
 * The delivery count, stream sequence and timestamp in a reply subject, read in place; undefined
 * for a subject in neither format the server uses (then `msg.info` parses it, or says why not).
 * Written by hand because nats.js's `msg.info` splits the whole subject into strings and makes an
 * object of all nine fields on every message, a cost Eddy's consume loop measurably paid per
 * delivery for three numbers.
 */
export function deliveryInfoOf(reply: string): DeliveryInfo | undefined {
  if (!reply.startsWith(ACK_PREFIX)) return undefined;
  let count = 0;
  for (let at = reply.indexOf('.'); at >= 0; at = reply.indexOf('.', at + 1)) {
    if (count === MAX_DOTS) return undefined;
    dots[count++] = at;
  }
  let first: number;
  if (count === OLD_FORMAT_DOTS) first = 4;
  else if (count >= NEW_FORMAT_MIN_DOTS) first = 6;
  else return undefined;
  const deliveryCount = integerBetween(reply, dots[first - 1]! + 1, dots[first]!);
  const streamSequence = integerBetween(reply, dots[first]! + 1, dots[first + 1]!);
  // Nanoseconds: the digits but the last six are the milliseconds, exactly (19 digits are past
  // what a double holds).
  const timeFrom = dots[first + 2]! + 1;
  const timeTo = dots[first + 3]!;
  const publishedAtMs = timeTo - timeFrom > 6 ? integerBetween(reply, timeFrom, timeTo - 6) : 0;
  if (Number.isNaN(deliveryCount + streamSequence + publishedAtMs)) return undefined;
  return { deliveryCount, streamSequence, publishedAtMs };
}

/** The decimal integer `text` holds from `from` to `to`, or NaN if it is not one (or past 15 digits). */
function integerBetween(text: string, from: number, to: number): number {
  if (to <= from || to - from > 15) return Number.NaN;
  let value = 0;
  for (let at = from; at < to; at++) {
    const digit = text.charCodeAt(at) - 48;
    if (digit < 0 || digit > 9) return Number.NaN;
    value = value * 10 + digit;
  }
  return value;
}
