// `@eddy/streams/internal`: what state store implementations in other packages share with the
// memory store, so every store accepts and refuses the same input. Not for applications.
export { assertStateCommit, assertStateName, stateJson } from './state-input.js';
