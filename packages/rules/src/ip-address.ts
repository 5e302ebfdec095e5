import type { IpRange } from './pattern-types.js';

/** An address: IPv4 as an unsigned 32-bit number, IPv6 as 32 lower-case hex digits (compare as strings). */
export type IpAddress =
  { readonly family: 4; readonly value: number } | { readonly family: 6; readonly value: string };

// event-ruler only treats a string as an address when it looks like one (four dotted runs of
// digits, or hex digits and colons), then asks Java's parser; the same shapes keep host names and
// free text out here too.
const IPV6_SHAPE = /^[0-9a-fA-F:]*:[0-9a-fA-F:]*$/;
const HEXTET = /^[0-9a-fA-F]{1,4}$/;

/**
 * Parses an IPv4 (dotted decimal, no leading zeros) or IPv6 (hex groups, one `::` at most, no
 * embedded dotted quad, no zone) address, or returns undefined. An IPv4-mapped IPv6 address
 * (`::ffff:a00:1`) is read as the IPv4 address, as Java's parser in event-ruler does.
 */
export function parseIp(text: string): IpAddress | undefined {
  // One event offers the same address to every rule that tests its field: remember the last one.
  if (text === lastText) return lastAddress;
  lastText = text;
  lastAddress =
    text.length > 45
      ? undefined
      : text.includes(':')
        ? IPV6_SHAPE.test(text)
          ? parseIpv6(text)
          : undefined
        : parseIpv4(text);
  return lastAddress;
}

let lastText: string | undefined;
let lastAddress: IpAddress | undefined;

/** Dotted decimal, four octets of 0-255 without leading zeros; read without a regex or a split. */
function parseIpv4(text: string): IpAddress | undefined {
  let value = 0;
  let octet = 0;
  let digits = 0;
  let dots = 0;
  for (let i = 0; i <= text.length; i++) {
    const code = i === text.length ? 46 : text.charCodeAt(i);
    if (code === 46) {
      if (digits === 0 || octet > 255) return undefined;
      value = value * 256 + octet;
      octet = 0;
      digits = 0;
      if (i < text.length) dots++;
    } else if (code >= 48 && code <= 57) {
      if (digits === 1 && octet === 0) return undefined;
      octet = octet * 10 + code - 48;
      if (++digits > 3) return undefined;
    } else {
      return undefined;
    }
  }
  return dots === 3 ? { family: 4, value } : undefined;
}

function parseIpv6(text: string): IpAddress | undefined {
  const halves = text.split('::');
  if (halves.length > 2) return undefined;
  const head = halves[0] === '' ? [] : halves[0]!.split(':');
  const tail = halves.length === 2 && halves[1] !== '' ? halves[1]!.split(':') : [];
  const groups = head.length + tail.length;
  if (halves.length === 1 ? groups !== 8 : groups > 7) return undefined;
  const hextets: string[] = [];
  for (const group of head) {
    if (!HEXTET.test(group)) return undefined;
    hextets.push(group.toLowerCase().padStart(4, '0'));
  }
  for (let i = groups; i < 8; i++) hextets.push('0000');
  for (const group of tail) {
    if (!HEXTET.test(group)) return undefined;
    hextets.push(group.toLowerCase().padStart(4, '0'));
  }
  const hex = hextets.join('');
  if (hex.startsWith('00000000000000000000ffff')) return { family: 4, value: parseInt(hex.slice(24), 16) };
  return { family: 6, value: hex };
}

/** A key that is equal for two spellings of one address and differs between addresses. */
export function ipKey(address: IpAddress): string {
  return address.family === 4 ? address.value.toString(16).padStart(8, '0') : address.value;
}

/** True when `address` lies in `range` (families must agree). */
export function ipInRange(address: IpAddress, range: IpRange): boolean {
  if (address.family === 4)
    return range.family === 4 && address.value >= range.lo && address.value <= range.hi;
  return range.family === 6 && address.value >= range.lo && address.value <= range.hi;
}

/**
 * Parses `address/bits` into the range of addresses it covers, or returns why it is invalid. As in
 * event-ruler, the mask is at most 31 bits for IPv4 and 127 for IPv6 (a single address is written
 * as a plain string value), and host bits set in the address are ignored.
 */
export function parseCidr(text: string): IpRange | string {
  const slash = text.indexOf('/');
  if (slash === -1 || text.indexOf('/', slash + 1) !== -1) {
    return `"${text}" is not a CIDR block: write one address, "/" and the number of mask bits, e.g. "10.0.0.0/24"`;
  }
  const bitsText = text.slice(slash + 1);
  if (!/^[0-9]{1,3}$/.test(bitsText)) return `the mask bits of "${text}" must be a whole number`;
  const bits = Number(bitsText);
  const address = parseIp(text.slice(0, slash));
  if (address === undefined) return `"${text.slice(0, slash)}" in "${text}" is not an IPv4 or IPv6 address`;
  if (address.family === 4) {
    if (bits > 31)
      return `IPv4 mask bits must be below 32 in "${text}"; match one address with a plain string value`;
    const size = 2 ** (32 - bits);
    const lo = Math.floor(address.value / size) * size;
    return { family: 4, lo, hi: lo + size - 1 };
  }
  if (bits > 127)
    return `IPv6 mask bits must be below 128 in "${text}"; match one address with a plain string value`;
  return { family: 6, lo: maskHex(address.value, bits, '0'), hi: maskHex(address.value, bits, 'f') };
}

/** The 32-digit hex address with every bit after the first `bits` set to 0 (`fill` "0") or 1 ("f"). */
function maskHex(hex: string, bits: number, fill: '0' | 'f'): string {
  const whole = Math.floor(bits / 4);
  const rest = bits % 4;
  let out = hex.slice(0, whole);
  if (whole < 32) {
    const digit = parseInt(hex[whole]!, 16);
    const keep = (0xf << (4 - rest)) & 0xf;
    out += (fill === '0' ? digit & keep : digit | (~keep & 0xf)).toString(16);
    out += fill.repeat(31 - whole);
  }
  return out;
}
