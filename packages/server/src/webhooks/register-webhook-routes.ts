import { createBus } from '@eddy/core';
import {
  createRequestCallbacks,
  createRequestTracker,
  createWebhookDispatcher,
  type WebhookDispatcher,
} from '@eddy/webhooks';
import type { FastifyInstance } from 'fastify';
import type { GatewayContext } from '../context.js';
import { registerEndpointRoutes } from './endpoint-routes.js';
import { registerInboundRoutes } from './inbound-routes.js';
import { registerRequestRoutes } from './request-routes.js';
import type { WebhookGatewayOptions } from './webhook-gateway-options.js';
import { sendWebhookProblem } from './webhook-problem.js';

/**
 * Serves the webhook and request routes in their own scope (raw bodies for inbound signatures,
 * webhook error codes mapped to their statuses), with a bus on the gateway's transport for request
 * replies and, when asked, a dispatcher. Both stop when the server closes.
 */
export async function registerWebhookRoutes(
  app: FastifyInstance,
  ctx: GatewayContext,
  options: WebhookGatewayOptions,
): Promise<void> {
  const bus = createBus<Record<string, unknown>>({
    transport: ctx.transport,
    closeTransport: false,
    group: 'eddy-gateway',
    topicFor: ctx.topicForType,
    source: ctx.options.defaultSource,
    // Events the dispatcher's handlers took before a crash come back after this, like any consumer's.
    ackTimeoutMs: ctx.options.consume.ackTimeoutMs,
  });
  let dispatcher: WebhookDispatcher | undefined;
  const callbacks =
    options.requests === undefined || options.callbacks === undefined
      ? undefined
      : createRequestCallbacks({
          endpoints: options.endpoints,
          deliveries: options.deliveries,
          secret: options.callbacks.secret,
          ...(options.callbacks.allowDestinations === undefined
            ? {}
            : { allowDestinations: options.callbacks.allowDestinations }),
          onEnqueued: () => dispatcher?.wake(),
        });
  const tracker =
    options.requests === undefined
      ? undefined
      : createRequestTracker({
          bus,
          store: options.requests,
          ...(options.replyHandlerName === undefined ? {} : { name: options.replyHandlerName }),
          ...(options.requestTimeoutMs === undefined ? {} : { timeoutMs: options.requestTimeoutMs }),
          ...(options.resultTtlMs === undefined ? {} : { resultTtlMs: options.resultTtlMs }),
          ...(options.requestPurgeIntervalMs === undefined
            ? {}
            : { purgeIntervalMs: options.requestPurgeIntervalMs }),
          maxWaitMs: ctx.options.limits.maxWaitSeconds * 1000,
          ...(callbacks === undefined ? {} : { callbacks }),
        });
  if (options.dispatch !== undefined || callbacks !== undefined) {
    const allowDestinations = [
      ...(options.dispatch?.allowDestinations ?? []),
      ...(callbacks === undefined ? [] : (options.callbacks?.allowDestinations ?? [])),
    ];
    dispatcher = createWebhookDispatcher({
      ...options.dispatch,
      allowDestinations,
      endpoints: options.endpoints,
      deliveries: options.deliveries,
      bus,
    });
  }
  await app.register((scope, _options, done) => {
    scope.setErrorHandler(sendWebhookProblem);
    registerEndpointRoutes(scope, options);
    if (tracker !== undefined) registerRequestRoutes(scope, tracker, ctx.options.limits.maxWaitSeconds);
    void scope.register((inbound, _inner, inboundDone) => {
      registerInboundRoutes(inbound, ctx, options);
      inboundDone();
    });
    done();
  });
  await bus.start();
  dispatcher?.start();
  app.addHook('onClose', async () => {
    tracker?.close();
    await dispatcher?.stop();
    await bus.stop({ deadlineMs: 1_000 });
  });
}
