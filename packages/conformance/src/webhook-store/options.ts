import type { DeliveryStore, EndpointStore } from '@eddy/webhooks';

/** How the webhook store suites reach the stores under test. */
export interface WebhookStoreConformanceOptions {
  /** Backend name shown in the test names. */
  readonly name: string;
  /**
   * Opens an endpoint store. Handles opened in one test share their data, as gateways and
   * dispatchers in several processes would; tests use ids of their own, so tests may share the
   * backend. The suite closes every handle after each test.
   */
  readonly createEndpointStore: () => EndpointStore | Promise<EndpointStore>;
  /** Opens a delivery store, shared like `createEndpointStore`'s. */
  readonly createDeliveryStore: () => DeliveryStore | Promise<DeliveryStore>;
  /** Runs once after all tests (drop the schema, remove the file). */
  readonly teardown?: () => void | Promise<void>;
}
