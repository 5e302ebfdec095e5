import type { Command } from 'commander';
import type {
  RequestJson,
  WebhookDeliveryDetailResponse,
  WebhookDeliveryJson,
  WebhookDeliveryListResponse,
  WebhookEndpointCreatedResponse,
  WebhookEndpointJson,
  WebhookEndpointListResponse,
} from '@eddy/server/api';
import { seg } from '../client.js';
import type { CliContext } from '../context.js';
import { BadInputError } from '../errors.js';
import { printJson, printTable } from '../output.js';
import { readJsonArgument } from './rules.js';

const DELIVERY_STATUSES = ['pending', 'succeeded', 'dead'] as const;

function list(text: string): string[] {
  return text
    .split(',')
    .map((item) => item.trim())
    .filter((item) => item !== '');
}

function positiveNumber(text: string, flag: string): number {
  const value = Number(text);
  if (!(value > 0) || !Number.isFinite(value)) {
    throw new BadInputError(`${flag} must be a number above 0, got "${text}".`);
  }
  return value;
}

function printDeliveries(ctx: CliContext, deliveries: readonly WebhookDeliveryJson[]): void {
  printTable(
    ctx.io,
    ['DELIVERY', 'ENDPOINT', 'TYPE', 'STATUS', 'ATTEMPTS', 'NEXT ATTEMPT', 'LAST ERROR'],
    deliveries.map((delivery) => [
      delivery.id,
      delivery.endpointId,
      delivery.eventType,
      delivery.status,
      delivery.attempts,
      delivery.status === 'pending' ? delivery.nextAttemptAt : '-',
      delivery.lastError,
    ]),
  );
}

/**
 * `eddy webhooks endpoints|add|enable|disable|rm|deliveries|delivery|redeliver`: outbound
 * endpoints and their deliveries on the gateway (`/v1/webhooks/...`).
 */
export function registerWebhooks(program: Command, ctx: CliContext): void {
  const webhooks = program
    .command('webhooks')
    .description('outbound webhooks: endpoints, deliveries with their attempts, redelivery');

  webhooks
    .command('endpoints')
    .description('list endpoints')
    .action(async (_flags: object, command: Command) => {
      const { endpoints } = await ctx
        .client(command)
        .get<WebhookEndpointListResponse>('/v1/webhooks/endpoints');
      if (ctx.json(command)) return printJson(ctx.io, endpoints);
      printTable(
        ctx.io,
        ['ENDPOINT', 'URL', 'FILTER', 'ORDERED', 'ENABLED', 'FAILING SINCE'],
        endpoints.map((endpoint) => [
          endpoint.id,
          endpoint.url,
          endpoint.eventTypes?.join(',') ?? (endpoint.pattern === undefined ? 'all' : 'pattern'),
          endpoint.ordered ? 'yes' : 'no',
          endpoint.enabled
            ? 'yes'
            : `no${endpoint.disabledReason === undefined ? '' : ` (${endpoint.disabledReason})`}`,
          endpoint.failingSince,
        ]),
      );
    });

  webhooks
    .command('add')
    .description('create an endpoint; prints its signing secret (shown once)')
    .argument('<url>', 'where deliveries are POSTed (https, or an allowed internal host)')
    .option('--types <types>', 'event types or globs it receives, comma-separated (default: all)')
    .option('--pattern <json>', 'an event pattern it receives: JSON, @file.json or -')
    .option('--rate <perSecond>', 'most deliveries per second to it')
    .option('--ordered', 'deliver one at a time, in order')
    .option('--description <text>', 'what it is for')
    .action(
      async (
        url: string,
        flags: { types?: string; pattern?: string; rate?: string; ordered?: boolean; description?: string },
        command: Command,
      ) => {
        const created = await ctx
          .client(command)
          .post<WebhookEndpointCreatedResponse>('/v1/webhooks/endpoints', {
            url,
            ...(flags.types === undefined ? {} : { eventTypes: list(flags.types) }),
            ...(flags.pattern === undefined ? {} : { pattern: readJsonArgument(flags.pattern, '--pattern') }),
            ...(flags.rate === undefined ? {} : { rateLimitPerSecond: positiveNumber(flags.rate, '--rate') }),
            ...(flags.ordered === true ? { ordered: true } : {}),
            ...(flags.description === undefined ? {} : { description: flags.description }),
          });
        if (ctx.json(command)) return printJson(ctx.io, created);
        ctx.io.stdout.write(`created ${created.id} -> ${created.url}\nsecret ${created.secret}\n`);
      },
    );

  for (const enabled of [true, false]) {
    webhooks
      .command(enabled ? 'enable' : 'disable')
      .description(enabled ? 'turn an endpoint on (clears why it was disabled)' : 'turn an endpoint off')
      .argument('<id>', 'endpoint id')
      .action(async (id: string, _flags: object, command: Command) => {
        const endpoint = await ctx
          .client(command)
          .request<WebhookEndpointJson>('PATCH', `/v1/webhooks/endpoints/${seg(id)}`, { enabled });
        if (ctx.json(command)) return printJson(ctx.io, endpoint);
        ctx.io.stdout.write(`${enabled ? 'enabled' : 'disabled'} ${endpoint.id}\n`);
      });
  }

  webhooks
    .command('rm')
    .description('delete an endpoint')
    .argument('<id>', 'endpoint id')
    .action(async (id: string, _flags: object, command: Command) => {
      await ctx.client(command).request<undefined>('DELETE', `/v1/webhooks/endpoints/${seg(id)}`);
      if (ctx.json(command)) return printJson(ctx.io, { deleted: id });
      ctx.io.stdout.write(`deleted ${id}\n`);
    });

  webhooks
    .command('deliveries')
    .description('deliveries, newest first (--status dead: the dead-letter queue)')
    .option('--endpoint <id>', 'of one endpoint')
    .option('--status <status>', `one of ${DELIVERY_STATUSES.join(', ')}`)
    .option('--limit <n>', 'at most this many (1-1000)', '100')
    .action(async (flags: { endpoint?: string; status?: string; limit: string }, command: Command) => {
      if (flags.status !== undefined && !(DELIVERY_STATUSES as readonly string[]).includes(flags.status)) {
        throw new BadInputError(
          `--status must be one of ${DELIVERY_STATUSES.join(', ')}, got "${flags.status}".`,
        );
      }
      const query = new URLSearchParams({ limit: flags.limit });
      if (flags.endpoint !== undefined) query.set('endpointId', flags.endpoint);
      if (flags.status !== undefined) query.set('status', flags.status);
      const { deliveries } = await ctx
        .client(command)
        .get<WebhookDeliveryListResponse>(`/v1/webhooks/deliveries?${query.toString()}`);
      if (ctx.json(command)) return printJson(ctx.io, deliveries);
      printDeliveries(ctx, deliveries);
    });

  webhooks
    .command('delivery')
    .description('one delivery with every attempt (status, latency, first bytes of the answer)')
    .argument('<id>', 'delivery id')
    .action(async (id: string, _flags: object, command: Command) => {
      const delivery = await ctx
        .client(command)
        .get<WebhookDeliveryDetailResponse>(`/v1/webhooks/deliveries/${seg(id)}`);
      if (ctx.json(command)) return printJson(ctx.io, delivery);
      printDeliveries(ctx, [delivery]);
      ctx.io.stdout.write('\n');
      printTable(
        ctx.io,
        ['ATTEMPT', 'STARTED', 'LATENCY MS', 'STATUS', 'ERROR', 'ANSWER'],
        delivery.attemptLog.map((attempt) => [
          attempt.number,
          attempt.startedAt,
          Math.round(attempt.latencyMs),
          attempt.statusCode ?? '-',
          attempt.error,
          attempt.responseBody.slice(0, 60).replace(/\s+/g, ' '),
        ]),
      );
    });

  webhooks
    .command('redeliver')
    .description('send a delivery again now (also out of the dead-letter queue)')
    .argument('<id>', 'delivery id')
    .action(async (id: string, _flags: object, command: Command) => {
      const delivery = await ctx
        .client(command)
        .post<WebhookDeliveryJson>(`/v1/webhooks/deliveries/${seg(id)}/redeliver`, {});
      if (ctx.json(command)) return printJson(ctx.io, delivery);
      ctx.io.stdout.write(`redelivering ${delivery.id} (${delivery.status})\n`);
    });
}

/** `eddy requests show <id> [--wait <s>]`: an asynchronous request's status and result. */
export function registerRequests(program: Command, ctx: CliContext): void {
  const requests = program
    .command('requests')
    .description('asynchronous requests started with POST /v1/requests');
  requests
    .command('show')
    .description('pending, completed (with its result) or failed')
    .argument('<id>', 'request id (the last part of its Location)')
    .option('--wait <seconds>', 'hold a pending answer this long for the result')
    .action(async (id: string, flags: { wait?: string }, command: Command) => {
      const wait = flags.wait === undefined ? '' : `?wait=${positiveNumber(flags.wait, '--wait')}`;
      const request = await ctx.client(command).get<RequestJson>(`/v1/requests/${seg(id)}${wait}`);
      if (ctx.json(command)) return printJson(ctx.io, request);
      ctx.io.stdout.write(`${request.id} ${request.type}: ${request.status}\n`);
      if (request.status === 'completed') ctx.io.stdout.write(`${JSON.stringify(request.result)}\n`);
      if (request.status === 'failed') ctx.io.stdout.write(`${request.error ?? ''}\n`);
    });
}
