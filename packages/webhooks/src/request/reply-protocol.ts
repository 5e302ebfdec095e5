import type { Bus, BusEvent, CloudEvent, PublishResult } from '@eddy/core';

/** Default event type of replies: one reply topic that every requester listens to. */
export const DEFAULT_REPLY_TYPE = 'eddy.reply';

/** Extension a request carries: the event type its reply must have. */
export const REPLY_TO = 'replyto';
/** Extension a reply carries: the id of the request it answers. */
export const IN_REPLY_TO = 'inreplyto';
/** Extension a failure reply carries: what went wrong. */
export const REPLY_ERROR = 'replyerror';

/** A reply: the result, or a failure the requester sees as `RequestFailedError`. */
export type ReplyInput = { readonly data: unknown } | { readonly error: string };

/**
 * Publishes the reply to `request` (an event published by a requester): of the type the request
 * names in `replyto`, with `inreplyto` set to the request's id. Call it from the request's handler.
 */
export function replyTo(
  bus: Bus<Record<string, unknown>>,
  request: CloudEvent,
  reply: ReplyInput,
): Promise<PublishResult> {
  const named = request[REPLY_TO];
  const type = typeof named === 'string' ? named : DEFAULT_REPLY_TYPE;
  const failed = 'error' in reply;
  return bus.publish(type, failed ? null : reply.data, {
    extensions: { [IN_REPLY_TO]: request.id, ...(failed ? { [REPLY_ERROR]: reply.error } : {}) },
    ...(request.correlationid === undefined ? {} : { correlationId: request.correlationid }),
  });
}

/** The request id a reply answers, or undefined for an event that is no reply. */
export function inReplyTo(event: BusEvent): string | undefined {
  const id = event[IN_REPLY_TO];
  return typeof id === 'string' ? id : undefined;
}

/** The failure a reply reports, or undefined for a result. */
export function replyError(event: BusEvent): string | undefined {
  const error = event[REPLY_ERROR];
  return typeof error === 'string' ? error : undefined;
}
