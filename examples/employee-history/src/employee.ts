import type { Decider } from '@eddy/core/event-sourcing';

/** A date as `YYYY-MM-DD`: when the change took effect in the business (not when it was recorded). */
export type Day = string;

export interface Employee {
  readonly hired: boolean;
  readonly firstName: string;
  readonly lastName: string;
  readonly address: string;
  readonly role: string;
  readonly dateJoin: Day;
}

export type EmployeeCommand =
  | { type: 'Hire'; firstName: string; lastName: string; address: string; role: string; on: Day }
  | { type: 'ChangeRole'; role: string; on: Day }
  | { type: 'Move'; address: string; on: Day }
  | { type: 'Rename'; firstName: string; lastName: string; on: Day };

export type EmployeeEvent =
  | {
      type: 'EmployeeHired';
      data: { firstName: string; lastName: string; address: string; role: string; on: Day };
    }
  | { type: 'RoleChanged'; data: { role: string; on: Day } }
  | { type: 'EmployeeMoved'; data: { address: string; on: Day } }
  | { type: 'EmployeeRenamed'; data: { firstName: string; lastName: string; on: Day } };

const nobody: Employee = { hired: false, firstName: '', lastName: '', address: '', role: '', dateJoin: '' };

/** The business rules: only hired employees change, and a change must change something. */
export const employee: Decider<Employee, EmployeeCommand, EmployeeEvent> = {
  initialState: () => nobody,
  decide(command, state) {
    if (command.type === 'Hire') {
      if (state.hired) throw new Error(`${state.firstName} is already hired.`);
      const { type: _type, ...data } = command;
      return { type: 'EmployeeHired', data };
    }
    if (!state.hired) throw new Error('Hire the employee first.');
    switch (command.type) {
      case 'ChangeRole':
        if (command.role === state.role) throw new Error(`${state.firstName} already is ${command.role}.`);
        return { type: 'RoleChanged', data: { role: command.role, on: command.on } };
      case 'Move':
        if (command.address === state.address) throw new Error(`${state.firstName} already lives there.`);
        return { type: 'EmployeeMoved', data: { address: command.address, on: command.on } };
      case 'Rename':
        return {
          type: 'EmployeeRenamed',
          data: { firstName: command.firstName, lastName: command.lastName, on: command.on },
        };
    }
  },
  evolve(state, event) {
    switch (event.type) {
      case 'EmployeeHired':
        return { hired: true, ...event.data, dateJoin: event.data.on };
      case 'RoleChanged':
        return { ...state, role: event.data.role };
      case 'EmployeeMoved':
        return { ...state, address: event.data.address };
      case 'EmployeeRenamed':
        return { ...state, firstName: event.data.firstName, lastName: event.data.lastName };
    }
  },
};
