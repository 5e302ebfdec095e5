import { createSqliteDeliveryStore, createSqliteEndpointStore, createSqliteRequestStore } from '@eddy/sqlite';
import type { WebhookGatewayOptions } from './webhook-gateway-options.js';

/** Webhook options the gateway made itself, and what closes their stores. */
export interface OwnedWebhooks {
  readonly options: WebhookGatewayOptions;
  close(): Promise<void>;
}

/**
 * Endpoints, deliveries and requests in the embedded log's file, as the gateway's default when it
 * opens that log itself (so `eddy dev` serves the webhook and request routes with nothing to set
 * up). A dispatcher runs for `dispatch.eventTypes` when there are any, and for request callbacks
 * when `dispatch.callbackSecret` is set.
 */
export function openDefaultWebhooks(
  databasePath: string,
  dispatch: {
    readonly eventTypes: readonly string[];
    readonly allowDestinations: readonly string[];
    readonly callbackSecret?: string;
  },
): OwnedWebhooks {
  const endpoints = createSqliteEndpointStore({ database: databasePath });
  const deliveries = createSqliteDeliveryStore({ database: databasePath });
  const requests = createSqliteRequestStore({ database: databasePath });
  return {
    options: {
      endpoints,
      deliveries,
      requests,
      // One gateway owns the embedded log: a fixed name, so restarts leave no consumer groups behind.
      replyHandlerName: 'requests',
      ...(dispatch.callbackSecret === undefined
        ? {}
        : {
            callbacks: { secret: dispatch.callbackSecret, allowDestinations: dispatch.allowDestinations },
          }),
      ...(dispatch.eventTypes.length === 0
        ? {}
        : {
            dispatch: {
              eventTypes: dispatch.eventTypes,
              allowDestinations: dispatch.allowDestinations,
            },
          }),
    },
    async close() {
      await Promise.all([endpoints.close(), deliveries.close(), requests.close()]);
    },
  };
}
