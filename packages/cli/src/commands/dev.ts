import { InvalidOptionError } from '@eddy/core/internal';
import type { Command } from 'commander';
import type { CliContext } from '../context.js';
import { defaultDashboardDir, isDashboardBuilt } from '../dashboard/dashboard-dir.js';
import type { Demo } from '../demo/order-flow.js';
import { BACKEND_HELP, transportSpecOf } from './backend-flags.js';

interface ServeFlags {
  transport?: string;
  port?: string;
  host?: string;
  dataDir?: string;
  demo?: boolean;
  demoIntervalMs: string;
  demoFailureRate: string;
  dashboard: boolean;
  dashboardDir?: string;
  logLevel?: string;
  rulesFrom?: string;
}

/**
 * Runs the gateway (embedded SQLite log, dashboard at `/`) until SIGINT/SIGTERM. `dev` is the quiet
 * local flavour with a banner (and `--demo` traffic); `serve` logs every line as JSON.
 */
async function run(
  ctx: CliContext,
  flags: ServeFlags,
  url: string | undefined,
  mode: 'dev' | 'serve',
): Promise<void> {
  const port = flags.port === undefined ? undefined : Number(flags.port);
  const failureRate = Number(flags.demoFailureRate ?? 0);
  if (!(failureRate >= 0 && failureRate <= 1) || !(Number(flags.demoIntervalMs) > 0)) {
    throw new InvalidOptionError(
      '--demo-failure-rate must be 0..1 and --demo-interval-ms a positive number.',
    );
  }
  if (port !== undefined && (!Number.isInteger(port) || port < 0 || port > 65_535)) {
    throw new InvalidOptionError(`--port must be 0-65535, got "${flags.port}".`);
  }
  // Loaded here, not at the top: client commands should not pay for (or depend on) the server stack.
  const { createServer } = await import('@eddy/server');
  const transportUrl = await transportSpecOf(flags.transport, url);
  const { startDemo } = await import('../demo/order-flow.js');
  const dashboardDir = flags.dashboardDir ?? ctx.env['EDDY_DASHBOARD_DIR'] ?? defaultDashboardDir();
  const staticDir =
    flags.dashboard && dashboardDir !== undefined && isDashboardBuilt(dashboardDir)
      ? dashboardDir
      : undefined;
  const server = await createServer({
    ...(port === undefined ? {} : { port }),
    ...(flags.host === undefined ? {} : { host: flags.host }),
    ...(flags.dataDir === undefined ? {} : { dataDir: flags.dataDir }),
    ...(transportUrl === undefined ? {} : { transportUrl }),
    logLevel: flags.logLevel ?? ctx.env['EDDY_LOG_LEVEL'] ?? (mode === 'dev' ? 'error' : 'info'),
    ...(staticDir === undefined ? {} : { staticDir }),
    ...(flags.rulesFrom === undefined ? {} : { ruleEngine: { sources: topicList(flags.rulesFrom) } }),
    env: ctx.env,
  });
  let demo: Demo | undefined;
  try {
    const handle = await server.listen().catch((error: unknown) => {
      if ((error as { code?: string }).code !== 'EADDRINUSE') throw error;
      throw new InvalidOptionError(
        `Port ${server.options.port} on ${server.options.host} is taken (another eddy dev?). ` +
          'Stop it, or pick another port with --port <n> (0: any free port).',
      );
    });
    if (flags.demo === true) {
      demo = await startDemo({
        transport: server.transport,
        intervalMs: Number(flags.demoIntervalMs),
        failureRate,
      });
    }
    const out = ctx.io.stdout;
    out.write(`Eddy ${mode} server on ${handle.url} (${server.backend.text})\n`);
    if (staticDir !== undefined) out.write(`  dashboard  ${handle.url}/\n`);
    else if (flags.dashboard && dashboardDir === undefined) {
      out.write('  dashboard  not installed: add @eddy/dashboard, or point --dashboard-dir at a build\n');
    } else if (flags.dashboard) {
      out.write(`  dashboard  not built (${dashboardDir}); run \`npm run build -w @eddy/dashboard\`\n`);
    }
    out.write(`  API        ${handle.url}/openapi.json\n`);
    if (server.options.ruleSources.length > 0)
      out.write(`  rules      running on ${server.options.ruleSources.join(', ')}\n`);
    if (demo !== undefined)
      out.write('  demo       order flow: order.placed -> payment -> inventory -> shipping\n');
    if (server.options.apiKeys.length === 0) {
      out.write(
        '  auth       open dev mode: no API keys, loopback only (configure EDDY_API_KEYS to expose it)\n',
      );
    }
    out.write('Press Ctrl+C to stop.\n');
    await new Promise<void>((resolve) => {
      if (ctx.signal.aborted) resolve();
      ctx.signal.addEventListener('abort', () => resolve(), { once: true });
    });
  } finally {
    await demo?.stop();
    await server.close();
  }
}

/** `a, b,c` -> `['a', 'b', 'c']`, refusing an empty list. */
function topicList(text: string): string[] {
  const topics = text
    .split(',')
    .map((topic) => topic.trim())
    .filter((topic) => topic !== '');
  if (topics.length === 0)
    throw new InvalidOptionError('--rules-from takes topics separated by commas, e.g. orders,payments.');
  return topics;
}

function serveCommand(program: Command, ctx: CliContext, mode: 'dev' | 'serve'): Command {
  const command = program
    .command(mode)
    .description(
      mode === 'dev'
        ? 'run the gateway and dashboard on an embedded SQLite log (add --demo for order-flow traffic)'
        : 'run the gateway (JSON logs), configured by flags and EDDY_* variables',
    )
    .option(
      '-t, --transport <backend>',
      'backend: sqlite (embedded, default), postgres, redis, rabbitmq, nats or activemq; default EDDY_TRANSPORT (a name or a URL)',
    )
    .option('--url <url>', "the backend's URL (default: the named backend on this machine, see below)")
    .option('-p, --port <port>', 'port (0: any free port; default EDDY_PORT, else 4400)')
    .option('--host <host>', 'interface (default EDDY_HOST, else 127.0.0.1)')
    .option(
      '-d, --data-dir <dir>',
      'directory holding .eddy/eddy.db (default EDDY_DATA_DIR, else the working directory)',
    )
    .option(
      '--rules-from <topics>',
      'run the stored rules against these topics (comma-separated; default EDDY_RULE_SOURCES, else rules are not run)',
    )
    .option('--no-dashboard', 'do not serve the dashboard at /')
    .option('--dashboard-dir <dir>', 'built dashboard to serve (default: @eddy/dashboard/dist)')
    .option(
      '--log-level <level>',
      `log level (default EDDY_LOG_LEVEL, else ${mode === 'dev' ? 'error' : 'info'})`,
    )
    .option('--demo-interval-ms <ms>', 'time between two demo orders', '1000')
    .addHelpText('after', BACKEND_HELP)
    .action((flags: ServeFlags, self: Command) =>
      // `--url` is also the client commands' gateway URL, so commander files it with the global options.
      run(ctx, flags, self.optsWithGlobals<{ url?: string }>().url, mode),
    );
  if (mode === 'dev') {
    command
      .option('--demo', 'produce order-flow traffic, with an occasional dead-lettered payment')
      .option('--demo-failure-rate <share>', 'share of demo payments declined into the DLQ (0..1)', '0.1');
  }
  return command;
}

export function registerDev(program: Command, ctx: CliContext): void {
  serveCommand(program, ctx, 'dev');
  serveCommand(program, ctx, 'serve');
}
