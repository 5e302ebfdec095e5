// `@eddy/core/cloudevents`: CloudEvents 1.0 envelopes, validation and the HTTP-style codecs
// (binary, structured and batch modes).
export {
  CLOUDEVENTS_SPEC_VERSION,
  type CloudEvent,
  type CloudEventInput,
  type ExtensionValue,
} from './cloudevents/cloud-event.js';
export type { CloudEventMessage, CloudEventMode } from './cloudevents/cloud-event-message.js';
export {
  decodeCloudEvent,
  decodeCloudEventBatch,
  detectCloudEventMode,
  encodeCloudEvent,
  type EncodeCloudEventOptions,
} from './cloudevents/codec.js';
export {
  BATCH_CONTENT_TYPE,
  isJsonContentType,
  STRUCTURED_CONTENT_TYPE,
} from './cloudevents/content-type.js';
export { createCloudEvent } from './cloudevents/create-cloud-event.js';
export {
  cloudEventFromJson,
  cloudEventToJson,
  encodeCloudEventBatch,
} from './cloudevents/structured-mode.js';
export { validateCloudEvent } from './cloudevents/validate-cloud-event.js';
export { InvalidCloudEventError, DecodeError } from './errors/errors.js';
