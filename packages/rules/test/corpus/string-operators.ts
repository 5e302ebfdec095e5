import { ec2Event, type CorpusCase } from './corpus-case.js';

/** Exact values and the string operators: prefix, suffix, equals-ignore-case, wildcard. */
export const stringOperatorCases: readonly CorpusCase[] = [
  {
    name: 'exact values on three fields, nested',
    from: 'EventBridge docs',
    pattern: {
      source: ['aws.ec2'],
      'detail-type': ['EC2 Instance State-change Notification'],
      detail: { state: ['terminated'] },
    },
    matches: [ec2Event({ 'instance-id': 'i-1', state: 'terminated' })],
    misses: [
      ec2Event({ state: 'running' }),
      ec2Event({ state: 'terminated' }, { source: 'aws.fargate' }),
      ec2Event({ state: 'Terminated' }),
      ec2Event({}),
    ],
  },
  {
    name: 'any value of the array',
    from: 'EventBridge docs',
    pattern: { source: ['aws.ec2', 'aws.fargate'] },
    matches: [{ source: 'aws.ec2' }, { source: 'aws.fargate' }],
    misses: [{ source: 'aws.s3' }, { source: 'AWS.EC2' }, {}],
  },
  {
    name: 'empty string and null are different values',
    from: 'EventBridge docs',
    pattern: { detail: { eventVersion: [''] } },
    matches: [{ detail: { eventVersion: '' } }],
    misses: [{ detail: { eventVersion: null } }, { detail: {} }, { detail: { eventVersion: ' ' } }],
  },
  {
    name: 'null matches only null',
    from: 'EventBridge docs',
    pattern: { detail: { responseElements: [null] } },
    matches: [{ detail: { responseElements: null } }],
    misses: [{ detail: { responseElements: '' } }, { detail: {} }, { detail: { responseElements: 'null' } }],
  },
  {
    name: 'numbers nested two levels',
    from: 'EventBridge docs',
    pattern: { source: ['aws.macie'], detail: { severity: { score: [1] }, count: [2] } },
    matches: [{ source: 'aws.macie', detail: { severity: { score: 1, description: 'Low' }, count: 2 } }],
    misses: [
      { source: 'aws.macie', detail: { severity: { score: 2 }, count: 2 } },
      { source: 'aws.macie', detail: { severity: { score: '1' }, count: 2 } },
      { source: 'aws.macie', detail: { score: 1, count: 2 } },
    ],
  },
  {
    name: 'numbers compare as numbers, not as text',
    from: 'event-ruler README',
    pattern: '{ "x-limit": [301.8], "count": [300] }',
    matches: [
      JSON.parse('{ "x-limit": 3.018e2, "count": 300.0 }') as object,
      { 'x-limit': 301.8, count: 3e2 },
    ],
    misses: [
      { 'x-limit': '301.8', count: 300 },
      { 'x-limit': 301.81, count: 300 },
    ],
  },
  {
    name: 'a number never matches a string pattern, nor the other way round',
    from: 'event-ruler tests',
    pattern: { a: [1], x: ['X'] },
    matches: [{ a: 1, x: 'X' }],
    misses: [
      { a: '1', x: 'X' },
      { a: 1, x: true },
      { a: true, x: 'X' },
    ],
  },
  {
    name: 'booleans',
    from: 'event-ruler tests',
    pattern: { Image: { Animated: [false] } },
    matches: [{ Image: { Animated: false } }],
    misses: [{ Image: { Animated: true } }, { Image: { Animated: 'false' } }, { Image: { Animated: 0 } }],
  },
  {
    name: 'array in the event: any element may match',
    from: 'EventBridge docs',
    pattern: {
      resources: [
        'arn:aws:ec2:us-east-1:123456789012:instance/i-b188560f',
        'arn:aws:ec2:us-east-1:111122223333:instance/i-b188560f',
      ],
    },
    matches: [
      {
        resources: [
          'arn:aws:autoscaling:us-east-1:123456789012:autoScalingGroup:eb56d16b',
          'arn:aws:ec2:us-east-1:123456789012:instance/i-b188560f',
        ],
      },
    ],
    misses: [{ resources: ['arn:aws:s3:::bucket'] }, { resources: [] }, { resources: [['x']] }],
  },
  {
    name: '"exactly" compares strings character by character',
    from: 'event-ruler README',
    pattern: { a: [{ exactly: '10.0.0.1' }] },
    matches: [{ a: '10.0.0.1' }],
    misses: [{ a: '10.0.0.2' }, { a: 'x' }],
  },
  {
    name: 'a plain string that is an IP address matches any spelling of it',
    from: 'event-ruler tests',
    pattern: { ip: ['2001:db8::1'] },
    matches: [{ ip: '2001:db8::1' }, { ip: '2001:0DB8:0:0:0:0:0:1' }],
    misses: [{ ip: '2001:db8::2' }, { ip: '10.0.0.1' }],
  },
  {
    name: 'prefix',
    from: 'EventBridge docs',
    pattern: { time: [{ prefix: '2017-10-02' }] },
    matches: [{ time: '2017-10-02T18:43:48Z' }, { time: ['x', '2017-10-02'] }],
    misses: [{ time: '2017-10-03T18:43:48Z' }, { time: '2017-10-0' }, { time: 20171002 }, {}],
  },
  {
    name: 'an empty prefix matches every string, and only strings',
    from: 'event-ruler README',
    pattern: { a: [{ prefix: '' }] },
    matches: [{ a: '' }, { a: 'anything' }],
    misses: [{ a: 5 }, { a: null }, { a: {} }],
  },
  {
    name: 'prefix, ignoring case',
    from: 'event-ruler tests',
    pattern: { Image: { Title: [{ prefix: { 'equals-ignore-case': 'VIeW' } }] } },
    matches: [{ Image: { Title: 'View from 15th Floor' } }, { Image: { Title: 'VIEW' } }],
    misses: [{ Image: { Title: 'A View' } }, { Image: { Title: 'Vie' } }],
  },
  {
    name: 'suffix',
    from: 'EventBridge docs',
    pattern: { FileName: [{ suffix: '.png' }] },
    matches: [{ FileName: 'image.png' }, { FileName: '.png' }],
    misses: [{ FileName: 'image.PNG' }, { FileName: 'image.png.gz' }, { FileName: 1 }],
  },
  {
    name: 'suffix, ignoring case',
    from: 'event-ruler tests',
    pattern: { Image: { Title: [{ suffix: { 'equals-ignore-case': 'LoOr' } }] } },
    matches: [{ Image: { Title: 'View from 15th Floor' } }, { Image: { Title: 'FLOOR' } }],
    misses: [{ Image: { Title: 'View from 15th Floors' } }],
  },
  {
    name: 'equals-ignore-case',
    from: 'EventBridge docs',
    pattern: { 'detail-type': [{ 'equals-ignore-case': 'ec2 instance state-change notification' }] },
    matches: [ec2Event({}), { 'detail-type': ['other', 'EC2 INSTANCE STATE-CHANGE NOTIFICATION'] }],
    misses: [{ 'detail-type': 'EC2 Instance State-change' }, { 'detail-type': 12 }],
  },
  {
    name: 'equals-ignore-case on every field of a rule',
    from: 'event-ruler tests',
    pattern: {
      a: [{ 'equals-ignore-case': 'aBc' }],
      b: [{ 'equals-ignore-case': 'Def' }],
      c: [{ 'equals-ignore-case': 'xyZ' }],
    },
    matches: [{ a: 'ABC', b: 'def', c: 'xYz', d: 'rst' }],
    misses: [
      { a: 'ABC', b: 'defx', c: 'xYz' },
      { a: 'ABC', c: 'xYz' },
      { a: 'ABC', b: 'xYz', c: 'def' },
    ],
  },
  {
    name: 'wildcard: a star matches any run of characters, none included',
    from: 'event-ruler README',
    pattern: { source: [{ wildcard: 'Simple*Service' }] },
    matches: [{ source: 'SimpleQueueService' }, { source: 'SimpleService' }],
    misses: [{ source: 'simpleQueueService' }, { source: 'SimpleQueueServices' }, { source: 7 }],
  },
  {
    name: 'wildcards on several fields',
    from: 'event-ruler tests',
    pattern: {
      a: [{ wildcard: '*bc' }],
      b: [{ wildcard: 'd*f' }],
      c: [{ wildcard: 'xy*' }],
      d: [{ wildcard: 'xy*' }],
    },
    matches: [{ a: 'abcbc', b: 'deeeef', c: 'xy', d: 'xyzzz' }],
    misses: [
      { a: 'abcbc', b: 'deeeefx', c: 'xy', d: 'xyzzz' },
      { a: 'abcbc', b: 'deeeef', d: 'xyzzz' },
      { a: 'abcbc', b: 'xy', c: 'deeeef', d: 'xyzzz' },
    ],
  },
  {
    name: 'wildcard escapes: \\* is a star, \\\\ a backslash',
    from: 'event-ruler README',
    pattern: { a: [{ wildcard: 'a\\*b\\\\*' }] },
    matches: [{ a: 'a*b\\' }, { a: 'a*b\\c' }],
    misses: [{ a: 'axb\\' }, { a: 'a*b' }],
  },
  {
    name: 'wildcard in a path, several stars',
    from: 'EventBridge docs',
    pattern: { FilePath: [{ wildcard: '*/lib/*.jar' }] },
    matches: [{ FilePath: '/usr/lib/app.jar' }, { FilePath: '/lib/.jar' }],
    misses: [{ FilePath: '/usr/bin/app.jar' }, { FilePath: '/usr/lib/app.jar.bak' }],
  },
];
