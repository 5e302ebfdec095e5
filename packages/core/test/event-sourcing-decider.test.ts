import { AssertionError } from 'node:assert';
import { describe, expect, it } from 'vitest';
import { EddyError } from '@eddy/core';
import {
  commandHandler,
  WrongExpectedVersionError,
  type Decider,
  type EventStore,
} from '@eddy/core/event-sourcing';
import {
  commandHandlerSpecification,
  createMemoryEventStore,
  deciderSpecification,
} from '@eddy/core/testing';

type Account = { readonly status: 'none' | 'open' | 'closed'; readonly balance: number };
type Command =
  | { readonly type: 'Open' }
  | { readonly type: 'Deposit'; readonly amount: number }
  | { readonly type: 'Withdraw'; readonly amount: number }
  | { readonly type: 'Close' };
type Event =
  | { readonly type: 'Opened'; readonly data: Record<string, never> }
  | { readonly type: 'Deposited'; readonly data: { readonly amount: number } }
  | { readonly type: 'Withdrawn'; readonly data: { readonly amount: number } }
  | { readonly type: 'Closed'; readonly data: Record<string, never> };

class InsufficientFunds extends EddyError {
  constructor() {
    super('SHOP_INSUFFICIENT_FUNDS', 'Not enough money: deposit first.');
  }
}

const account: Decider<Account, Command, Event> = {
  initialState: () => ({ status: 'none', balance: 0 }),
  decide: (command, state) => {
    switch (command.type) {
      case 'Open':
        return state.status === 'none' ? { type: 'Opened', data: {} } : [];
      case 'Deposit':
        return { type: 'Deposited', data: { amount: command.amount } };
      case 'Withdraw':
        if (command.amount > state.balance) throw new InsufficientFunds();
        return { type: 'Withdrawn', data: { amount: command.amount } };
      case 'Close':
        return state.balance > 0
          ? [
              { type: 'Withdrawn', data: { amount: state.balance } },
              { type: 'Closed', data: {} },
            ]
          : { type: 'Closed', data: {} };
    }
  },
  evolve: (state, event) => {
    switch (event.type) {
      case 'Opened':
        return { ...state, status: 'open' };
      case 'Deposited':
        return { ...state, balance: state.balance + event.data.amount };
      case 'Withdrawn':
        return { ...state, balance: state.balance - event.data.amount };
      case 'Closed':
        return { ...state, status: 'closed' };
    }
  },
};

const spec = deciderSpecification(account);
const opened: Event = { type: 'Opened', data: {} };

describe('deciderSpecification (given/when/then)', () => {
  it('passes when the decided events match', () => {
    spec
      .given([opened])
      .when({ type: 'Deposit', amount: 5 })
      .then({ type: 'Deposited', data: { amount: 5 } });
    spec
      .given([opened, { type: 'Deposited', data: { amount: 7 } }])
      .when({ type: 'Close' })
      .then([
        { type: 'Withdrawn', data: { amount: 7 } },
        { type: 'Closed', data: {} },
      ]);
    spec.given([opened]).when({ type: 'Open' }).thenNothingHappened();
    spec.given([]).when({ type: 'Withdraw', amount: 1 }).thenThrows(InsufficientFunds);
    spec
      .given([])
      .when({ type: 'Withdraw', amount: 1 })
      .thenThrows((error) => error instanceof EddyError && error.code === 'SHOP_INSUFFICIENT_FUNDS');
  });

  it('fails with an AssertionError when the outcome differs', () => {
    expect(() =>
      spec
        .given([opened])
        .when({ type: 'Deposit', amount: 5 })
        .then({ type: 'Deposited', data: { amount: 6 } }),
    ).toThrow(AssertionError);
    expect(() => spec.given([]).when({ type: 'Open' }).thenNothingHappened()).toThrow(AssertionError);
    expect(() => spec.given([]).when({ type: 'Open' }).thenThrows()).toThrow(
      'Expected the command to be rejected',
    );
    expect(() => spec.given([]).when({ type: 'Withdraw', amount: 1 }).thenThrows(TypeError)).toThrow(
      'The command threw an unexpected error',
    );
  });
});

function accountHandler(store: EventStore, retry = false) {
  return commandHandler({ store, decider: account, retry });
}

describe('commandHandler', () => {
  it('loads, decides, appends with the loaded version and returns the new state', async () => {
    const store = createMemoryEventStore();
    const handle = accountHandler(store);
    const first = await handle('account-1', { type: 'Open' });
    expect(first).toMatchObject({
      state: { status: 'open', balance: 0 },
      nextExpectedVersion: 1,
      attempts: 1,
    });
    const second = await handle('account-1', { type: 'Deposit', amount: 10 }, { metadata: { userId: 'u1' } });
    expect(second.state.balance).toBe(10);
    expect(second.newEvents[0]).toMatchObject({
      type: 'Deposited',
      streamVersion: 2,
      metadata: { userId: 'u1' },
    });
    const closed = await handle('account-1', { type: 'Close' });
    expect(closed.newEvents.map((e) => e.type)).toEqual(['Withdrawn', 'Closed']);
    expect(closed).toMatchObject({ state: { status: 'closed', balance: 0 }, nextExpectedVersion: 4 });
  });

  it('appends nothing when the decider decides nothing', async () => {
    const store = createMemoryEventStore();
    const handle = accountHandler(store);
    await handle('account-2', { type: 'Open' });
    const again = await handle('account-2', { type: 'Open' });
    expect(again).toMatchObject({ newEvents: [], nextExpectedVersion: 1 });
    expect((await store.readStream('account-2')).currentVersion).toBe(1);
  });

  it('rethrows business errors from decide without appending or retrying', async () => {
    const store = createMemoryEventStore();
    const handle = accountHandler(store, true);
    await expect(handle('account-3', { type: 'Withdraw', amount: 5 })).rejects.toBeInstanceOf(
      InsufficientFunds,
    );
    expect((await store.readStream('account-3')).exists).toBe(false);
  });

  it('throws WrongExpectedVersionError on conflict without retry, and resolves it with retry', async () => {
    const store = createMemoryEventStore();
    const plain = accountHandler(store);
    await plain('account-4', { type: 'Open' });
    const outcomes = await Promise.allSettled([
      plain('account-4', { type: 'Deposit', amount: 1 }),
      plain('account-4', { type: 'Deposit', amount: 2 }),
    ]);
    const rejected = outcomes.filter((o): o is PromiseRejectedResult => o.status === 'rejected');
    expect(rejected).toHaveLength(1);
    expect(rejected[0]!.reason).toBeInstanceOf(WrongExpectedVersionError);
    expect(rejected[0]!.reason).toMatchObject({ code: 'EDDY_WRONG_EXPECTED_VERSION' });

    const retrying = accountHandler(store, true);
    const results = await Promise.all(
      [1, 2, 3, 4].map((amount) => retrying('account-4', { type: 'Deposit', amount })),
    );
    expect(Math.max(...results.map((r) => r.attempts))).toBeGreaterThan(1);
    const final = results.find((r) => r.nextExpectedVersion === 6)!;
    const { events } = await store.readStream('account-4');
    expect(events).toHaveLength(6);
    const deposited = events.map((e) => (e.type === 'Deposited' ? (e.data as { amount: number }).amount : 0));
    const total = deposited.reduce((sum, amount) => sum + amount, 0);
    expect([11, 12]).toContain(total);
    expect(final.state.balance).toBe(total);
  });

  it('uses a caller-supplied expectedVersion and never retries it', async () => {
    const store = createMemoryEventStore();
    const handle = accountHandler(store, true);
    await handle('account-5', { type: 'Open' });
    await handle('account-5', { type: 'Deposit', amount: 1 });
    await expect(
      handle('account-5', { type: 'Deposit', amount: 1 }, { expectedVersion: 1 }),
    ).rejects.toMatchObject({ code: 'EDDY_WRONG_EXPECTED_VERSION', expected: 1, actual: 2 });
    const ok = await handle('account-5', { type: 'Deposit', amount: 1 }, { expectedVersion: 2 });
    expect(ok.state.balance).toBe(2);
  });
});

describe('commandHandlerSpecification (given/when/then through a store)', () => {
  const handlerSpec = commandHandlerSpecification({ decider: account, streamId: 'account-spec' });

  it('passes when the appended events, state or rejection match', async () => {
    await handlerSpec
      .given([opened, { type: 'Deposited', data: { amount: 3 } }])
      .when({ type: 'Close' })
      .then([
        { type: 'Withdrawn', data: { amount: 3 } },
        { type: 'Closed', data: {} },
      ]);
    await handlerSpec
      .given([opened])
      .when({ type: 'Deposit', amount: 4 })
      .thenState({ status: 'open', balance: 4 });
    await handlerSpec.given([opened]).when({ type: 'Open' }).thenNothingHappened();
    await handlerSpec.given([opened]).when({ type: 'Withdraw', amount: 1 }).thenThrows(InsufficientFunds);
  });

  it('fails with an AssertionError when the outcome differs', async () => {
    await expect(
      handlerSpec
        .given([])
        .when({ type: 'Deposit', amount: 1 })
        .then({ type: 'Deposited', data: { amount: 2 } }),
    ).rejects.toBeInstanceOf(AssertionError);
    await expect(handlerSpec.given([]).when({ type: 'Open' }).thenThrows()).rejects.toThrow(
      'Expected the command to be rejected',
    );
    await expect(
      handlerSpec
        .given([])
        .when({ type: 'Withdraw', amount: 1 })
        .thenThrows(() => false),
    ).rejects.toThrow('The command threw an unexpected error');
  });
});
