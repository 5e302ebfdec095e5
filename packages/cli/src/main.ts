import { runCli } from './run-cli.js';

// One abort for SIGINT/SIGTERM: long-running commands (dev, serve, tail) finish cleanly on it.
const controller = new AbortController();
for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.once(signal, () => controller.abort());
}
process.exitCode = await runCli(process.argv.slice(2), { signal: controller.signal });
