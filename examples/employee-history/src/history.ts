import type { EventStore, RecordedEvent } from '@eddy/core/event-sourcing';
import { employee, type Day, type Employee, type EmployeeEvent } from './employee.js';

const asEmployeeEvent = (event: RecordedEvent): EmployeeEvent => event as unknown as EmployeeEvent;

/** Every state the employee went through, oldest first, from the stream's events. */
async function statesOf(store: EventStore, streamId: string): Promise<Employee[]> {
  const { events } = await store.readStream(streamId);
  const states: Employee[] = [];
  let state = employee.initialState();
  for (const event of events) {
    state = employee.evolve(state, asEmployeeEvent(event));
    states.push(state);
  }
  return states;
}

/** The value of `field` before its latest change, or undefined if it never changed. */
export async function previousValue(
  store: EventStore,
  streamId: string,
  field: (state: Employee) => string,
): Promise<string | undefined> {
  const values = (await statesOf(store, streamId)).map(field);
  const current = values.at(-1);
  for (let i = values.length - 2; i >= 0; i--) if (values[i] !== current) return values[i];
  return undefined;
}

/**
 * The employee as they were on `day`, by the dates the changes took effect (business time). An
 * employee not yet hired on that day comes back with `hired: false`. (For "as recorded at time T"
 * use `aggregateStream(store, id, { asOf: { time } })` from @eddy/core instead.)
 */
export async function stateOn(store: EventStore, streamId: string, day: Day): Promise<Employee> {
  const { events } = await store.readStream(streamId);
  let state = employee.initialState();
  for (const event of events.map(asEmployeeEvent)) {
    // Skip, not stop: a correction recorded later may carry an earlier date.
    if (event.data.on <= day) state = employee.evolve(state, event);
  }
  return state;
}
