import type { CorpusCase } from './corpus-case.js';

const employees = {
  employees: [
    [
      { firstName: 'John', lastName: 'Doe', ids: [1234, 1000, 9999] },
      { firstName: 'Anna', lastName: 'Smith' },
    ],
    [{ firstName: 'Peter', lastName: 'Jones', ids: [] }],
  ],
};

/** AND across fields, `$or`, arrays of objects (array consistency) and field names. */
export const structureCases: readonly CorpusCase[] = [
  {
    name: 'every field must match (AND)',
    from: 'event-ruler README',
    pattern: {
      time: [{ prefix: '2017-10-02' }],
      detail: {
        state: [{ 'anything-but': 'initializing' }],
        'c-count': [{ numeric: ['>', 0, '<=', 5] }],
        'd-count': [{ numeric: ['<', 10] }],
        'x-limit': [{ 'anything-but': [100, 200, 300] }],
        'source-ip': [{ cidr: '10.0.0.0/8' }],
      },
    },
    matches: [
      {
        time: '2017-10-02T16:24:49Z',
        detail: { 'c-count': 5, 'd-count': 3, 'x-limit': 301.8, 'source-ip': '10.0.0.33', state: 'running' },
      },
    ],
    misses: [
      {
        time: '2017-10-02T16:24:49Z',
        detail: { 'c-count': 5, 'd-count': 3, 'x-limit': 300, 'source-ip': '10.0.0.33', state: 'running' },
      },
      {
        time: '2017-10-02T16:24:49Z',
        detail: { 'c-count': 5, 'd-count': 3, 'x-limit': 301.8, 'source-ip': '10.0.0.33' },
      },
    ],
  },
  {
    name: '$or across fields',
    from: 'EventBridge docs',
    pattern: {
      detail: {
        $or: [
          { 'c-count': [{ numeric: ['>', 0, '<=', 5] }] },
          { 'd-count': [{ numeric: ['<', 10] }] },
          { 'x-limit': [{ numeric: ['=', 3.018e2] }] },
        ],
      },
    },
    matches: [
      { detail: { 'c-count': 3 } },
      { detail: { 'd-count': 9 } },
      { detail: { 'x-limit': 301.8, 'c-count': 99 } },
    ],
    misses: [{ detail: { 'c-count': 6, 'd-count': 10 } }, { detail: {} }],
  },
  {
    name: '$or beside a field, and an AND inside $or',
    from: 'event-ruler README',
    pattern: {
      source: ['aws.cloudwatch'],
      $or: [
        { metricName: ['CPUUtilization', 'ReadLatency'] },
        { metricType: ['MetricType'], namespace: ['AWS/EC2', 'AWS/ES'] },
        { scope: ['Service'] },
      ],
    },
    matches: [
      { source: 'aws.cloudwatch', metricName: 'ReadLatency' },
      { source: 'aws.cloudwatch', metricType: 'MetricType', namespace: 'AWS/ES' },
      { source: 'aws.cloudwatch', scope: 'Service' },
    ],
    misses: [
      { source: 'aws.ec2', metricName: 'ReadLatency' },
      { source: 'aws.cloudwatch', metricType: 'MetricType' },
      { source: 'aws.cloudwatch' },
    ],
  },
  {
    name: 'nested $or and two $or side by side',
    from: 'event-ruler README',
    pattern: {
      $or: [{ metricName: ['CPUUtilization'] }, { namespace: ['AWS/EC2'] }],
      detail: {
        $or: [
          { source: ['aws.cloudwatch'] },
          { 'detail-type': ['CloudWatch Alarm State Change'], $or: [{ a: [1] }, { b: [2] }] },
        ],
      },
    },
    matches: [
      { namespace: 'AWS/EC2', detail: { source: 'aws.cloudwatch' } },
      { metricName: 'CPUUtilization', detail: { 'detail-type': 'CloudWatch Alarm State Change', b: 2 } },
    ],
    misses: [
      { namespace: 'AWS/EC2' },
      { metricName: 'CPUUtilization', detail: { 'detail-type': 'CloudWatch Alarm State Change' } },
      { namespace: 'AWS/ES', detail: { source: 'aws.cloudwatch' } },
    ],
  },
  {
    name: 'a field given again inside $or replaces the outer one in that alternative',
    from: 'event-ruler source',
    pattern: { a: ['x'], $or: [{ a: ['y'] }, { b: ['z'] }] },
    matches: [{ a: 'y' }, { a: 'y', b: 'q' }, { a: 'x', b: 'z' }],
    misses: [{ a: 'x' }, { a: 'q', b: 'z' }],
  },
  {
    name: '$or whose value is an object is an ordinary field name',
    from: 'event-ruler README',
    pattern: { source: ['aws.cloudwatch'], $or: { metricType: ['MetricType'] } },
    matches: [{ source: 'aws.cloudwatch', $or: { metricType: 'MetricType' } }],
    misses: [{ source: 'aws.cloudwatch', metricType: 'MetricType' }],
  },
  {
    name: 'objects inside arrays are matched as if the array were not there',
    from: 'event-ruler tests',
    pattern: { employees: { firstName: ['Anna'] } },
    matches: [employees],
    misses: [{ employees: [[{ firstName: 'Alice' }]] }],
  },
  {
    name: 'two fields match only within one element of an array (array consistency)',
    from: 'event-ruler tests',
    pattern: { employees: { firstName: ['Anna'], lastName: ['Jones'] } },
    matches: [{ employees: [{ firstName: 'Anna', lastName: 'Jones' }] }],
    misses: [employees],
  },
  {
    name: 'a value in an array inside the element that matched',
    from: 'event-ruler tests',
    pattern: { employees: { firstName: ['John'], ids: [1000] } },
    matches: [employees],
    misses: [
      {
        employees: [
          { firstName: 'John', ids: [1] },
          { firstName: 'Anna', ids: [1000] },
        ],
      },
    ],
  },
  {
    name: 'exists: false within the element that matched',
    from: 'event-ruler tests',
    pattern: { employees: { firstName: ['Anna'], ids: [{ exists: false }] } },
    matches: [employees],
    misses: [{ employees: [{ firstName: 'Anna', ids: [7] }] }],
  },
  {
    name: 'exists: true within the element that matched',
    from: 'event-ruler tests',
    pattern: { employees: { firstName: ['Anna'], ids: [{ exists: true }] } },
    matches: [{ employees: [{ firstName: 'Anna', ids: [7] }] }],
    misses: [employees],
  },
  {
    name: 'a field that holds objects has no value of its own',
    from: 'event-ruler tests',
    pattern: { employees: ['b'] },
    matches: [{ employees: ['a', 'b'] }],
    misses: [employees, { employees: [{ b: 'b' }] }],
  },
  {
    name: 'a dot inside a field name is part of the name',
    from: 'Eddy',
    pattern: { detail: { 'state.status': ['running'] } },
    matches: [{ detail: { 'state.status': 'running' } }],
    misses: [{ detail: { state: { status: 'running' } } }],
  },
  {
    name: 'fields named like Object.prototype members are read as own fields only',
    from: 'Eddy',
    pattern: '{ "constructor": ["x"], "toString": [{ "exists": false }], "__proto__": [{ "exists": true }] }',
    matches: [JSON.parse('{ "constructor": "x", "__proto__": 1 }') as object],
    misses: [{ constructor: 'y' }, JSON.parse('{ "constructor": "x" }') as object],
  },
];
