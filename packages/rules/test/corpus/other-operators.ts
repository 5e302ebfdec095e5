import type { CorpusCase } from './corpus-case.js';

/** anything-but in all its forms, numeric ranges, CIDR blocks and exists. */
export const otherOperatorCases: readonly CorpusCase[] = [
  {
    name: 'anything-but a string matches every other value, of any type',
    from: 'EventBridge docs',
    pattern: { detail: { state: [{ 'anything-but': 'initializing' }] } },
    matches: [
      { detail: { state: 'running' } },
      { detail: { state: 'INITIALIZING' } },
      { detail: { state: 5 } },
      { detail: { state: null } },
      { detail: { state: false } },
    ],
    misses: [{ detail: { state: 'initializing' } }, { detail: {} }, { detail: { state: {} } }],
  },
  {
    name: 'anything-but a number',
    from: 'EventBridge docs',
    pattern: { detail: { 'x-limit': [{ 'anything-but': 123 }] } },
    matches: [{ detail: { 'x-limit': 124 } }, { detail: { 'x-limit': '123' } }],
    misses: [{ detail: { 'x-limit': 123 } }, { detail: { 'x-limit': 123.0 } }, { detail: {} }],
  },
  {
    name: 'anything-but a list of strings',
    from: 'EventBridge docs',
    pattern: { detail: { state: [{ 'anything-but': ['stopped', 'overloaded'] }] } },
    matches: [{ detail: { state: 'running' } }],
    misses: [{ detail: { state: 'stopped' } }, { detail: { state: 'overloaded' } }],
  },
  {
    name: 'anything-but a list of numbers, against arrays',
    from: 'SNS docs',
    pattern: { price: [{ 'anything-but': [100, 500] }] },
    matches: [{ price: 101 }, { price: 100.1 }, { price: [100, 50] }],
    misses: [{ price: 100 }, { price: [100, 500] }, { price: [] }],
  },
  {
    name: 'anything-but lists on many fields at once',
    from: 'event-ruler tests',
    pattern: {
      a: [{ 'anything-but': ['dad0', 'dad1', 'dad2'] }],
      b: [{ 'anything-but': [111, 222, 333] }],
      c: [{ 'anything-but': 'zdd' }],
      d: [{ 'anything-but': 444 }],
      z: [{ numeric: ['>', 0, '<', 1] }],
    },
    matches: [{ a: 'child1', b: '444', c: 'child1', d: 123, z: 0.001 }],
    misses: [
      { a: 'dad789', b: 789, c: 'zdd', d: 123, z: 0.001 },
      { a: 'dad789', b: 789, c: 'child1', d: 123, z: 1.01 },
      { a: 'dad1', b: 345, c: 'child1', d: 123, z: 0.001 },
      { a: 'abc', b: 111, c: 'child1', d: 123, z: 0.001 },
      { a: 'abc', b: 0, c: 'child1', d: 444, z: 0.999999 },
    ],
  },
  {
    name: 'anything-but a prefix',
    from: 'EventBridge docs',
    pattern: { detail: { state: [{ 'anything-but': { prefix: 'init' } }] } },
    matches: [
      { detail: { state: 'running' } },
      { detail: { state: 'Initializing' } },
      { detail: { state: 7 } },
    ],
    misses: [{ detail: { state: 'initializing' } }, { detail: { state: 'init' } }],
  },
  {
    name: 'anything-but a list of prefixes',
    from: 'event-ruler README',
    pattern: { detail: { state: [{ 'anything-but': { prefix: ['init', 'error'] } }] } },
    matches: [{ detail: { state: 'running' } }],
    misses: [{ detail: { state: 'initial' } }, { detail: { state: 'error: disk' } }],
  },
  {
    name: 'anything-but a suffix',
    from: 'event-ruler README',
    pattern: { detail: { 'instance-id': [{ 'anything-but': { suffix: ['1234', '6789'] } }] } },
    matches: [{ detail: { 'instance-id': 'i-0005555' } }],
    misses: [{ detail: { 'instance-id': 'i-0001234' } }, { detail: { 'instance-id': 'i-0006789' } }],
  },
  {
    name: 'anything-but, ignoring case',
    from: 'event-ruler tests',
    pattern: {
      o: [{ 'anything-but': { 'equals-ignore-case': 'CamelCase' } }],
      p: [{ 'anything-but': { 'equals-ignore-case': ['CamelCase', 'AbC'] } }],
    },
    matches: [{ o: 'nomatch', p: 'nomatch' }],
    misses: [
      { o: 'camelcase', p: 'nomatch' },
      { o: 'nomatch', p: 'abc' },
    ],
  },
  {
    name: 'anything-but a wildcard',
    from: 'EventBridge docs',
    pattern: { FilePath: [{ 'anything-but': { wildcard: ['*/lib/*', '*.tmp'] } }] },
    matches: [{ FilePath: '/usr/bin/app' }, { FilePath: 42 }],
    misses: [{ FilePath: '/usr/lib/app' }, { FilePath: 'a.tmp' }],
  },
  {
    name: 'numeric ranges, open and closed, and =',
    from: 'EventBridge docs',
    pattern: {
      detail: {
        'c-count': [{ numeric: ['>', 0, '<=', 5] }],
        'd-count': [{ numeric: ['<', 10] }],
        'x-limit': [{ numeric: ['=', 3.018e2] }],
      },
    },
    matches: [
      { detail: { 'c-count': 5, 'd-count': 3, 'x-limit': 301.8 } },
      { detail: { 'c-count': 0.000001, 'd-count': -1e9, 'x-limit': 301.8 } },
    ],
    misses: [
      { detail: { 'c-count': 0, 'd-count': 3, 'x-limit': 301.8 } },
      { detail: { 'c-count': 5.5, 'd-count': 3, 'x-limit': 301.8 } },
      { detail: { 'c-count': 5, 'd-count': 10, 'x-limit': 301.8 } },
      { detail: { 'c-count': '5', 'd-count': 3, 'x-limit': 301.8 } },
      { detail: { 'c-count': 5, 'd-count': 3, 'x-limit': 301.80001 } },
    ],
  },
  {
    name: 'numeric bounds at the edges',
    from: 'event-ruler tests',
    pattern: {
      Image: {
        Width: [{ numeric: ['<', 1000] }],
        Height: [{ numeric: ['<=', 600] }],
        Thumbnail: {
          Height: [{ numeric: ['>', 124, '<', 126] }],
          Width: [{ numeric: ['>=', 99.999, '<=', 100] }],
        },
      },
    },
    matches: [{ Image: { Width: 800, Height: 600, Thumbnail: { Height: 125, Width: 100 } } }],
    misses: [
      { Image: { Width: 800, Height: 600.0001, Thumbnail: { Height: 125, Width: 100 } } },
      { Image: { Width: 800, Height: 600, Thumbnail: { Height: 126, Width: 100 } } },
      { Image: { Width: 800, Height: 600, Thumbnail: { Height: 125, Width: 100.00001 } } },
    ],
  },
  {
    name: 'numbers beyond ±5e9 and with more than six decimals',
    from: 'Eddy',
    pattern: {
      n: [{ numeric: ['>', 5e9, '<=', 1e300] }],
      f: [{ numeric: ['>', 0.1234567, '<', 0.1234568] }],
    },
    matches: [{ n: 6e9, f: 0.12345675 }],
    misses: [
      { n: 5e9, f: 0.12345675 },
      { n: 6e9, f: 0.1234567 },
    ],
  },
  {
    name: 'an IPv4 CIDR block',
    from: 'EventBridge docs',
    pattern: { detail: { sourceIPAddress: [{ cidr: '10.0.0.0/24' }] } },
    matches: [{ detail: { sourceIPAddress: '10.0.0.0' } }, { detail: { sourceIPAddress: '10.0.0.255' } }],
    misses: [
      { detail: { sourceIPAddress: '10.0.1.0' } },
      { detail: { sourceIPAddress: '9.255.255.255' } },
      { detail: { sourceIPAddress: 'example.com' } },
      { detail: { sourceIPAddress: 167772161 } },
      { detail: { sourceIPAddress: '010.0.0.1' } },
    ],
  },
  {
    name: 'an IPv6 CIDR block',
    from: 'event-ruler README',
    pattern: { ip: [{ cidr: '2001:db8::/32' }] },
    matches: [{ ip: '2001:db8::1' }, { ip: '2001:DB8:FFFF:0:0:0:0:1' }],
    misses: [{ ip: '2001:db9::1' }, { ip: '10.0.0.1' }, { ip: 'fe80::1%eth0' }],
  },
  {
    name: 'a CIDR block with host bits set covers its whole network',
    from: 'event-ruler tests',
    pattern: { ip: [{ cidr: '10.0.0.33/8' }] },
    matches: [{ ip: '10.255.0.1' }, { ip: '10.0.0.0' }],
    misses: [{ ip: '11.0.0.0' }],
  },
  {
    name: 'exists: true, null included',
    from: 'EventBridge docs',
    pattern: { detail: { state: [{ exists: true }] } },
    matches: [{ detail: { 'instance-id': 'i-abcd1111', state: 'pending' } }, { detail: { state: null } }],
    misses: [
      { detail: { 'c-count': { c1: 100 } } },
      { detail: { state: { inner: 1 } } },
      { detail: { state: [] } },
    ],
  },
  {
    name: 'exists: false only looks at leaves',
    from: 'event-ruler README',
    pattern: { detail: { 'c-count': [{ exists: false }] } },
    matches: [
      { detail: { state: 'running' } },
      { detail: { 'c-count': { c1: 100 } } },
      { detail: { 'c-count': [] } },
      {},
    ],
    misses: [{ detail: { 'c-count': 5 } }, { detail: { 'c-count': null } }, { detail: { 'c-count': [1] } }],
  },
  {
    name: 'exists on different fields',
    from: 'event-ruler tests',
    pattern: { a: [{ exists: true }], b: [{ exists: false }] },
    matches: [{ a: 1 }, { a: 1, x: 'X' }],
    misses: [{ b: 2 }, { a: 1, b: 2 }, { x: 'X' }],
  },
  {
    name: 'exists: false or a value',
    from: 'event-ruler tests',
    pattern: { a: [{ exists: false }, 'x'] },
    matches: [{}, { a: 'x' }, { a: ['y', 'x'] }],
    misses: [{ a: 'y' }],
  },
];
