import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { EddyError, ErrorCodes } from '@eddy/core';
import {
  createSagaRunner,
  defineSaga,
  SagaConflictError,
  SagaNotFoundError,
  defineProcessManager,
} from '@eddy/core/saga';
import { createMemorySagaStore } from '@eddy/core/testing';

/** What `fn` throws, so a test can assert the error's code. */
function thrown(fn: () => unknown): unknown {
  try {
    fn();
  } catch (error) {
    return error;
  }
  throw new Error('expected a throw');
}

const guide = readFileSync(new URL('../../../docs/guides/sagas.md', import.meta.url), 'utf8');

describe('saga error codes', () => {
  it('are documented in docs/guides/sagas.md', () => {
    const sagaCodes = [ErrorCodes.SagaConflict, ErrorCodes.SagaNotFound, ErrorCodes.InvalidSagaDefinition];
    expect(sagaCodes.filter((code) => !guide.includes(`\`${code}\``))).toEqual([]);
  });

  it('are typed EddyErrors; a conflict is retriable', () => {
    expect(new SagaConflictError('o-1', 'moved')).toMatchObject({
      code: 'EDDY_SAGA_CONFLICT',
      retriable: true,
      sagaId: 'o-1',
    });
    expect(new SagaNotFoundError('o-2')).toBeInstanceOf(EddyError);
    expect(new SagaNotFoundError('o-2')).toMatchObject({ code: 'EDDY_SAGA_NOT_FOUND' });
  });

  it('reject definitions that cannot run', () => {
    const noop = () => undefined;
    expect(thrown(() => defineSaga({ name: 's', steps: [] }))).toMatchObject({
      code: 'EDDY_SAGA_INVALID_DEFINITION',
    });
    expect(() =>
      defineSaga({
        name: 's',
        steps: [
          { name: 'a', action: noop },
          { name: 'a', action: noop },
        ],
      }),
    ).toThrow(/two steps named "a"/);
    expect(() => defineSaga({ name: 's', steps: [{ name: 'a' }] })).toThrow(
      /exactly one of action and request/,
    );
    const remote = defineSaga({
      name: 's',
      steps: [{ name: 'a', request: { command: 'x.do', data: () => ({}), success: 'x.done' } }],
    });
    expect(() => createSagaRunner({ saga: remote, store: createMemorySagaStore() })).toThrow(
      /pass \{ bus \}/,
    );
    expect(() =>
      defineProcessManager({
        name: 'p',
        startedBy: [],
        correlate: {},
        initialState: () => ({}),
        on: { 'x.happened': noop },
      }),
    ).toThrow(/cannot correlate/);
  });
});
