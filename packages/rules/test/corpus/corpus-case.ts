import type { EventPattern } from '@eddy/rules';

/**
 * A pattern with events it must match and events it must not. `from` says where the behaviour is
 * documented or shown: the EventBridge user guide (or SNS's, for the filter language they share),
 * event-ruler's README, tests or rule compiler, or Eddy's own documented choice
 * (docs/guides/rules.md).
 */
export interface CorpusCase {
  readonly name: string;
  readonly from:
    | 'EventBridge docs'
    | 'SNS docs'
    | 'event-ruler README'
    | 'event-ruler tests'
    | 'event-ruler source'
    | 'Eddy';
  readonly pattern: EventPattern | string;
  readonly matches: readonly object[];
  readonly misses: readonly object[];
}

/** The EC2 state-change event of the EventBridge user guide, with a chosen `detail`. */
export function ec2Event(detail: Record<string, unknown>, overrides: Record<string, unknown> = {}): object {
  return {
    version: '0',
    id: '6a7e8feb-b491-4cf7-a9f1-bf3703467718',
    'detail-type': 'EC2 Instance State-change Notification',
    source: 'aws.ec2',
    account: '111122223333',
    time: '2017-12-22T18:43:48Z',
    region: 'us-west-1',
    resources: ['arn:aws:ec2:us-west-1:123456789012:instance/i-1234567890abcdef0'],
    detail,
    ...overrides,
  };
}
