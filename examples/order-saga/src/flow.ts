import { sagaFlowDeclarations, type FlowDeclaration } from '@eddy/core/saga';
import { orderSaga } from './order-saga.js';

/** What each handler of the example consumes and emits, for the event-flow graph (`--graph`). */
export const orderFlow: FlowDeclaration[] = [
  ...sagaFlowDeclarations(orderSaga, {
    service: 'orders',
    startedBy: ['order.placed'],
    outcomes: ['order.confirmed', 'order.cancelled'],
  }),
  {
    handler: 'payment.reserve',
    service: 'payment',
    consumes: ['payment.reserve'],
    emits: ['payment.reserved', 'payment.declined'],
  },
  { handler: 'payment.refund', service: 'payment', consumes: ['payment.refund'], emits: [] },
  {
    handler: 'inventory.reserve',
    service: 'inventory',
    consumes: ['inventory.reserve'],
    emits: ['inventory.reserved', 'inventory.failed'],
  },
  { handler: 'inventory.release', service: 'inventory', consumes: ['inventory.release'], emits: [] },
  {
    handler: 'shipping.schedule',
    service: 'shipping',
    consumes: ['shipping.schedule'],
    emits: ['shipping.scheduled'],
  },
  { handler: 'email.notify', service: 'email', consumes: ['order.confirmed', 'order.cancelled'], emits: [] },
];
