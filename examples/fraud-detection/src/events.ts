import type { PatternMatch, WindowResult } from '@eddy/streams';

export interface Payment {
  readonly card: string;
  readonly amount: number;
  readonly merchant: string;
}

export interface Decline {
  readonly card: string;
  readonly merchant: string;
  readonly reason: string;
}

/** Spending of one card in one minute. */
export interface Velocity {
  readonly count: number;
  readonly total: number;
}

export interface Events {
  'payment.authorized': Payment;
  'payment.declined': Decline;
  /** Five or more payments of a card within one minute. */
  'fraud.velocity': WindowResult<Velocity>;
  /** Three declines of a card within two minutes (someone trying card numbers). */
  'fraud.card-testing': PatternMatch<unknown>;
  /** A decline, then a large payment on the same card within a minute. */
  'fraud.declined-then-large': PatternMatch<unknown>;
}
