import type { Bus, BusEvent } from '@eddy/core';
import {
  pipeline,
  reduce,
  repetition,
  sequence,
  tumbling,
  type Pipeline,
  type StateStore,
} from '@eddy/streams';
import type { Events, Velocity } from './events.js';

type CardEvent =
  | BusEvent<'payment.authorized', Events['payment.authorized']>
  | BusEvent<'payment.declined', Events['payment.declined']>;

const declined = (event: CardEvent): boolean => event.type === 'payment.declined';

/**
 * The fraud rules as one pipeline keyed by card: a velocity window over authorized payments, and
 * two patterns over authorizations and declines together.
 */
export function fraudPipeline(bus: Bus<Events>, store: StateStore): Pipeline<Events> {
  const fraud = pipeline(bus, { name: 'fraud', store });
  const cards = fraud.from('payment.authorized', 'payment.declined').keyBy((event) => event.data.card);

  cards
    .filter((event) => event.type === 'payment.authorized')
    .window(tumbling({ sizeMs: 60_000 }), {
      name: 'velocity',
      aggregate: reduce<CardEvent, Velocity>(
        (acc, event) => ({
          count: acc.count + 1,
          total: acc.total + ('amount' in event.data ? event.data.amount : 0),
        }),
        { count: 0, total: 0 },
      ),
      maxOutOfOrderMs: 5_000,
    })
    .filter((result) => result.value.count >= 5)
    .to('fraud.velocity');

  cards
    .detect(
      repetition<CardEvent>({
        name: 'card-testing',
        step: { name: 'declined', where: declined },
        times: 3,
        withinMs: 120_000,
      }),
    )
    .to('fraud.card-testing');

  cards
    .detect(
      sequence<CardEvent>({
        name: 'declined-then-large',
        steps: [
          { name: 'declined', where: declined },
          {
            name: 'large',
            where: (event) => event.type === 'payment.authorized' && event.data.amount >= 500,
          },
        ],
        withinMs: 60_000,
      }),
    )
    .to('fraud.declined-then-large');
  return fraud;
}
