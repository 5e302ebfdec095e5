export { createProgram, runCli, type RunCliOptions } from './run-cli.js';
export { ExitCodes, exitCodeOf, type ExitCode } from './exit-codes.js';
export { BadInputError, CliErrorCodes, RequestFailedError } from './errors.js';
export { DEFAULT_URL, EddyClient, type ClientOptions } from './client.js';
export type { Io } from './output.js';
export { startDemo, type Demo, type DemoEvents, type DemoOptions } from './demo/order-flow.js';
