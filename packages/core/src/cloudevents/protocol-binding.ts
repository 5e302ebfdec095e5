import type { Headers } from '../transport/message.js';
import { ATTRIBUTE_HEADER_PREFIX } from './binary-mode.js';
import { decodeHeaderValue, encodeHeaderValue } from './header-value.js';

/*
 * Inside Eddy a binary-mode event is an HTTP-style message: `ce-<attribute>` headers with
 * percent-encoded values and `content-type` for `datacontenttype` (what `encodeCloudEvent` writes
 * and `decodeCloudEvent` reads). On the wire every broker binding names them its own way. A
 * transport translates with the functions below when it writes and reads its broker's metadata, so
 * the naming rules of every binding live here and nowhere else.
 *
 * Reading accepts the binding's names, the other names it allows, and Eddy's earlier `ce-` form
 * (messages already stored). Writing uses the binding's names; a value that would not read back
 * the same in the binding's form (one that carries a literal "%xx", say) keeps the `ce-` form.
 */

/** How one CloudEvents protocol binding names attributes in a broker's message metadata. */
export interface ProtocolBinding {
  /** Prefix of attribute names written: `ce_` (Kafka), `cloudEvents_` (AMQP), `ce-` (NATS). */
  readonly prefix: string;
  /** Further prefixes the binding allows and readers accept (AMQP's `cloudEvents:`). */
  readonly alsoRead?: readonly string[];
  /** Whether values are percent-encoded on the wire (NATS, HTTP) or plain text (Kafka, AMQP). */
  readonly percentEncoded: boolean;
  /**
   * Wire name of `datacontenttype` in binary mode. `content-type` for Kafka; the NATS binding uses
   * `ce-datacontenttype` and keeps `Content-Type` for structured mode. AMQP carries it in the
   * message's content-type property, which the transport sets itself.
   */
  readonly contentType: string;
  /**
   * Prefix under which a header that is not a CloudEvents attribute but whose name looks like one
   * travels, so it comes back under its own name instead of turning into an attribute.
   */
  readonly escapePrefix: string;
}

/** Kafka protocol binding: `ce_<name>` headers with plain UTF-8 values, `content-type`. */
export const KAFKA_BINDING: ProtocolBinding = {
  prefix: 'ce_',
  percentEncoded: false,
  contentType: 'content-type',
  escapePrefix: 'eddy-h-',
};

/**
 * AMQP protocol binding: `cloudEvents_<name>` application properties (the form JMS selectors and
 * RabbitMQ's header exchange can use), `cloudEvents:<name>` read too, plain values; the content
 * type is the message's content-type property.
 */
export const AMQP_BINDING: ProtocolBinding = {
  prefix: 'cloudEvents_',
  alsoRead: ['cloudEvents:'],
  percentEncoded: false,
  contentType: 'content-type',
  escapePrefix: 'eddy_h_',
};

/** NATS protocol binding: `ce-<name>` headers, percent-encoded, `ce-datacontenttype`. */
export const NATS_BINDING: ProtocolBinding = {
  prefix: 'ce-',
  percentEncoded: true,
  contentType: 'ce-datacontenttype',
  escapePrefix: 'eddy-h-',
};

/**
 * SQS and SNS have no official binding. Eddy follows the community's SNS draft, which copies the
 * Kafka binding: `ce_<name>` message attributes with plain values and `ce_datacontenttype`.
 */
export const SQS_BINDING: ProtocolBinding = {
  prefix: 'ce_',
  percentEncoded: false,
  contentType: 'ce_datacontenttype',
  escapePrefix: 'eddy-h-',
};

const CONTENT_TYPE = 'content-type';
const SPECVERSION = `${ATTRIBUTE_HEADER_PREFIX}specversion`;
// Never an Eddy attribute header (binary mode writes `content-type`), but a binding's name for it.
const DATA_CONTENT_TYPE_HEADER = `${ATTRIBUTE_HEADER_PREFIX}datacontenttype`;
// CloudEvents attribute names: lower-case letters and digits (spec, "Attribute Naming Convention").
const ATTRIBUTE_NAME = /^[a-z0-9]{1,20}$/;

/** True for headers of a binary-mode CloudEvent in Eddy's form (a `ce-specversion` header). */
export function isBinaryCloudEvent(headers: Headers): boolean {
  return headers[SPECVERSION] !== undefined;
}

function prefixOf(
  lowerName: string,
  binding: ProtocolBinding,
): { prefix: string; encoded: boolean } | undefined {
  const own = binding.prefix.toLowerCase();
  if (lowerName.startsWith(own)) return { prefix: own, encoded: binding.percentEncoded };
  for (const other of binding.alsoRead ?? []) {
    const lower = other.toLowerCase();
    if (lowerName.startsWith(lower)) return { prefix: lower, encoded: binding.percentEncoded };
  }
  // Eddy's own earlier form, always percent-encoded.
  if (lowerName.startsWith(ATTRIBUTE_HEADER_PREFIX))
    return { prefix: ATTRIBUTE_HEADER_PREFIX, encoded: true };
  return undefined;
}

/**
 * True when a wire name would read as a CloudEvents attribute (or as an escaped header): a header
 * of that name that is no attribute must travel escaped (see `wireHeaderOf`).
 */
export function isBindingName(wireName: string, binding: ProtocolBinding): boolean {
  const lower = wireName.toLowerCase();
  return (
    prefixOf(lower, binding) !== undefined ||
    lower === binding.contentType.toLowerCase() ||
    lower.startsWith(binding.escapePrefix.toLowerCase())
  );
}

/**
 * The wire name and value of one Eddy header under `binding`. `ce-<name>` headers take the
 * binding's attribute names. `cloudEvent` says whether the message is a binary-mode CloudEvent
 * (see `isBinaryCloudEvent`): only then is `content-type` its `datacontenttype`. Other headers keep
 * their name, escaped when it would read as an attribute.
 */
export function wireHeaderOf(
  name: string,
  value: string,
  binding: ProtocolBinding,
  cloudEvent: boolean,
): [string, string] {
  if (name === CONTENT_TYPE) return [cloudEvent ? binding.contentType : CONTENT_TYPE, value];
  // Attribute headers map whether or not the message is a whole event: the mapping reads back the same.
  if (name.startsWith(ATTRIBUTE_HEADER_PREFIX) && name !== DATA_CONTENT_TYPE_HEADER) {
    const attribute = name.slice(ATTRIBUTE_HEADER_PREFIX.length);
    if (binding.percentEncoded) {
      if (ATTRIBUTE_NAME.test(attribute)) return [binding.prefix + attribute, value];
    } else {
      const plain = decodeHeaderValue(value);
      if (ATTRIBUTE_NAME.test(attribute) && encodeHeaderValue(plain) === value) {
        return [binding.prefix + attribute, plain];
      }
    }
    // Not representable in the binding's form: Eddy's `ce-` form, which every reader of Eddy's accepts.
    return [name, value];
  }
  return isBindingName(name, binding) ? [binding.escapePrefix + name, value] : [name, value];
}

/**
 * The Eddy header of one wire header under `binding`: attributes (any accepted prefix, any case)
 * become `ce-<name>` with a percent-encoded value, the binding's content-type name `content-type`,
 * escaped names their original. Anything else comes back as it is.
 */
export function headerOfWire(wireName: string, value: string, binding: ProtocolBinding): [string, string] {
  const lower = wireName.toLowerCase();
  const escape = binding.escapePrefix.toLowerCase();
  if (lower.startsWith(escape)) return [wireName.slice(escape.length), value];
  if (lower === binding.contentType.toLowerCase() || lower === CONTENT_TYPE) return [CONTENT_TYPE, value];
  const prefix = prefixOf(lower, binding);
  if (prefix === undefined) return [wireName, value];
  const attribute = lower.slice(prefix.prefix.length);
  if (attribute === 'datacontenttype')
    return [CONTENT_TYPE, prefix.encoded ? decodeHeaderValue(value) : value];
  return [ATTRIBUTE_HEADER_PREFIX + attribute, prefix.encoded ? value : encodeHeaderValue(value)];
}

/** All of a message's headers in `binding`'s form (see `wireHeaderOf`). */
export function toWireHeaders(headers: Headers, binding: ProtocolBinding): Record<string, string> {
  const cloudEvent = isBinaryCloudEvent(headers);
  const wire: Record<string, string> = {};
  for (const [name, value] of Object.entries(headers)) {
    const [wireName, wireValue] = wireHeaderOf(name, value, binding, cloudEvent);
    wire[wireName] = wireValue;
  }
  return wire;
}

/** All of a received message's wire headers in Eddy's form (see `headerOfWire`). */
export function fromWireHeaders(wire: Headers, binding: ProtocolBinding): Record<string, string> {
  const headers: Record<string, string> = {};
  for (const [wireName, value] of Object.entries(wire)) {
    const [name, text] = headerOfWire(wireName, value, binding);
    headers[name] = text;
  }
  return headers;
}
