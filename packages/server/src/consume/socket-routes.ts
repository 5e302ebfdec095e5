import { assertGroupName, assertTopicName, InvalidOptionError } from '@eddy/core/internal';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { WebSocket } from 'ws';
import { principalIdOf } from '../auth/auth-hook.js';
import type { GatewayContext } from '../context.js';
import type { ServerFrame, SseEvents } from '../http/api-types.js';
import { problemFor } from '../http/problem.js';
import { fromQuery, MAX_NACK_DELAY_MS, topicGroupParams } from '../http/schemas.js';
import type { ConsumerSlot } from './consumer-limits.js';
import { deliveryText } from './delivery.js';
import { PushSession, type PushSessionOptions } from './push-session.js';
import { parseStartPosition } from './start-position.js';
import { filterQuerySchema, parseConsumeFilter, type FilterQuery } from './consume-filter.js';

interface GroupParams {
  topic: string;
  group: string;
}

interface PushQuery extends FilterQuery {
  from?: string;
  maxInFlight?: number;
  ackTimeoutMs?: number;
}

interface SocketQuery extends PushQuery {
  batch?: boolean;
}

/** A frame as a WebSocket client sent it, before it is checked against `ClientFrame`. */
interface ReceivedFrame {
  readonly type?: unknown;
  readonly ackIds?: unknown;
  readonly delayMs?: unknown;
}

function sendFrame(socket: WebSocket, frame: ServerFrame): void {
  socket.send(JSON.stringify(frame));
}

function sseEvent<K extends keyof SseEvents>(name: K, data: SseEvents[K], id?: string): string {
  return sseText(name, JSON.stringify(data), id);
}

function sseText(name: keyof SseEvents, json: string, id?: string): string {
  return `${id === undefined ? '' : `id: ${id}\n`}event: ${name}\ndata: ${json}\n\n`;
}

/** The members a WebSocket message frame has before the delivery's. */
const MESSAGE_FRAME_HEAD = '"type":"message",';
/** A `messages` frame is sent once it holds this many characters of deliveries, even mid-turn. */
const BATCH_FRAME_CHARS = 1 << 20;

function pushQuerySchema(ctx: GatewayContext) {
  return {
    type: 'object',
    properties: {
      from: fromQuery,
      maxInFlight: {
        type: 'integer',
        minimum: 1,
        maximum: ctx.options.limits.maxInFlight,
        default: 16,
        description:
          'Credit: most messages sent and not yet acked. The server sends more only as acks come in.',
      },
      ackTimeoutMs: {
        type: 'integer',
        minimum: 100,
        maximum: ctx.options.consume.ackTimeoutMs,
        description: `A message not acked within this long is redelivered. Default and maximum ${ctx.options.consume.ackTimeoutMs}.`,
      },
      apiKey: { type: 'string', description: 'For clients that cannot set headers (browsers).' },
      ...filterQuerySchema,
    },
  } as const;
}

function socketQuerySchema(ctx: GatewayContext) {
  const push = pushQuerySchema(ctx);
  return {
    ...push,
    properties: {
      ...push.properties,
      batch: {
        type: 'boolean',
        default: false,
        description:
          'Send the deliveries of one turn of the server\'s event loop as one {"type":"messages", messages:[...]} frame ' +
          'instead of one "message" frame each: fewer frames to send and parse when messages come fast.',
      },
    },
  } as const;
}

function sessionOptions(ctx: GatewayContext, params: GroupParams, query: PushQuery): PushSessionOptions {
  assertTopicName(params.topic);
  assertGroupName(params.group);
  return {
    topic: params.topic,
    group: params.group,
    from: parseStartPosition(query.from),
    filter: parseConsumeFilter(query),
    maxInFlight: query.maxInFlight ?? 16,
    ackTimeoutMs: query.ackTimeoutMs ?? ctx.options.consume.ackTimeoutMs,
  };
}

function ackIdsOf(frame: ReceivedFrame): string[] {
  const ids = frame.ackIds;
  if (!Array.isArray(ids) || ids.length === 0 || !ids.every((id) => typeof id === 'string')) {
    throw new InvalidOptionError('ackIds must be a non-empty array of strings.');
  }
  return ids;
}

function handleFrame(session: PushSession, socket: WebSocket, data: Buffer): void {
  let frame: ReceivedFrame;
  try {
    frame = JSON.parse(data.toString('utf8')) as ReceivedFrame;
    if (typeof frame !== 'object' || frame === null)
      throw new InvalidOptionError('A frame must be a JSON object.');
    if (frame.type === 'ack') {
      const result = session.ack(ackIdsOf(frame));
      if (result.unknown.length > 0) sendFrame(socket, { type: 'unknown', ackIds: result.unknown });
    } else if (frame.type === 'nack') {
      const delay = frame.delayMs ?? 0;
      if (typeof delay !== 'number' || !Number.isInteger(delay) || delay < 0 || delay > MAX_NACK_DELAY_MS) {
        throw new InvalidOptionError(`delayMs must be an integer from 0 to ${MAX_NACK_DELAY_MS}.`);
      }
      const result = session.nack(ackIdsOf(frame), delay);
      if (result.unknown.length > 0) sendFrame(socket, { type: 'unknown', ackIds: result.unknown });
    } else {
      throw new InvalidOptionError(
        `Unknown frame type ${JSON.stringify(frame.type)}: send {"type":"ack"|"nack","ackIds":[...]}.`,
      );
    }
  } catch (error) {
    const problem =
      error instanceof SyntaxError
        ? problemFor(new InvalidOptionError('Frames must be JSON.'))
        : problemFor(error);
    sendFrame(socket, { type: 'error', ...problem.body });
  }
}

/** WebSocket and Server-Sent Events push subscriptions. */
export function registerSocketRoutes(app: FastifyInstance, ctx: GatewayContext): void {
  const slots = new WeakMap<FastifyRequest, ConsumerSlot>();
  app.get<{ Params: GroupParams; Querystring: SocketQuery }>(
    '/v1/topics/:topic/groups/:group/ws',
    {
      websocket: true,
      schema: {
        summary: 'Subscribe over WebSocket',
        description:
          'Server frames: {"type":"ready"}, {"type":"message", ackId, deliveryCount, topic, partition, offset, publishedAt, event} ' +
          '(or, with ?batch=true, {"type":"messages", messages:[{ackId, deliveryCount, ...}, ...]}), ' +
          '{"type":"error", error:{code,message}}, {"type":"unknown", ackIds}. Client frames: {"type":"ack","ackIds":[...]} and ' +
          '{"type":"nack","ackIds":[...],"delayMs":0}. Unacked messages are redelivered to another member when the socket closes.',
        tags: ['consume'],
        params: topicGroupParams,
        querystring: socketQuerySchema(ctx),
      },
      config: {
        access: 'consume',
        queryApiKey: true,
        doc: { responses: { '101': { description: 'Switching to the WebSocket protocol.' } } },
      },
      // Before the upgrade, so a refused client gets a plain HTTP 429/503 it can act on.
      preHandler: (request, _reply, done) => {
        try {
          // A bad filter or pattern is a 400 here, not an error frame after the upgrade.
          parseConsumeFilter(request.query);
          const slot = ctx.consumers.admit('session', principalIdOf(request));
          // The connection's end frees the slot even if the upgrade or the subscribe never completes.
          request.raw.socket.once('close', () => slot.release());
          slots.set(request, slot);
          done();
        } catch (error) {
          done(error as Error);
        }
      },
    },
    (socket, request) => {
      let session: PushSession | undefined;
      let closed = false;
      const pending: Buffer[] = [];
      // The transport hands a batch over in one turn: holding the TCP socket's writes until the turn
      // ends sends the batch's frames in one write instead of one system call per message.
      const tcp = request.raw.socket;
      let corked = false;
      const corkForThisTurn = (): void => {
        if (corked) return;
        corked = true;
        tcp.cork();
        setImmediate(() => {
          corked = false;
          tcp.uncork();
        });
      };
      // ?batch=true: the deliveries of a turn (the transport hands a batch over in one) in one frame.
      const batched = request.query.batch === true;
      let batch = '';
      let batchQueued = false;
      const sendBatch = (): void => {
        batchQueued = false;
        if (batch === '') return;
        socket.send(`{"type":"messages","messages":[${batch}]}`);
        batch = '';
      };
      const addToBatch = (text: string): void => {
        batch = batch === '' ? text : `${batch},${text}`;
        if (batch.length >= BATCH_FRAME_CHARS) sendBatch();
        else if (!batchQueued) {
          batchQueued = true;
          setImmediate(sendBatch);
        }
      };
      socket.on('message', (data: Buffer) => {
        if (session === undefined) pending.push(data);
        else handleFrame(session, socket, data);
      });
      socket.on('close', () => {
        closed = true;
        void session?.close();
      });
      void (async () => {
        try {
          let ready = false;
          // The transport may deliver before subscribe() returns: "ready" always goes first.
          const sendReady = (): void => {
            if (ready) return;
            ready = true;
            sendFrame(socket, { type: 'ready' });
          };
          const slot = slots.get(request);
          const created = new PushSession(
            ctx,
            'websocket',
            {
              ...sessionOptions(ctx, request.params, request.query),
              ...(slot === undefined ? {} : { slot }),
            },
            (lease) => {
              sendReady();
              if (batched) {
                addToBatch(deliveryText(lease));
                return;
              }
              corkForThisTurn();
              socket.send(deliveryText(lease, MESSAGE_FRAME_HEAD));
            },
          );
          await created.open();
          session = created;
          if (closed) {
            await created.close();
            return;
          }
          sendReady();
          for (const data of pending.splice(0)) handleFrame(created, socket, data);
        } catch (error) {
          sendFrame(socket, { type: 'error', ...problemFor(error).body });
          socket.close(1011, 'subscribe failed');
        }
      })();
    },
  );

  app.get<{ Params: GroupParams; Querystring: PushQuery }>(
    '/v1/topics/:topic/groups/:group/sse',
    {
      schema: {
        summary: 'Subscribe with Server-Sent Events',
        description:
          'text/event-stream: "ready" once subscribed, then one "message" event per delivery (id: the ack id, data: the delivery JSON). ' +
          'Ack or nack through POST .../ack and .../nack. Unacked messages are redelivered when the stream closes.',
        tags: ['consume'],
        params: topicGroupParams,
        querystring: pushQuerySchema(ctx),
      },
      config: {
        access: 'consume',
        queryApiKey: true,
        doc: {
          responses: { '200': { description: 'An event stream.', content: { 'text/event-stream': {} } } },
        },
      },
    },
    async (request, reply) => {
      const options = {
        ...sessionOptions(ctx, request.params, request.query),
        slot: ctx.consumers.admit('session', principalIdOf(request)),
      };
      const raw = reply.raw;
      let ready = false;
      const sendReady = (): void => {
        if (ready) return;
        ready = true;
        raw.write(sseEvent('ready', {}));
      };
      const session = new PushSession(ctx, 'sse', options, (lease) => {
        sendReady();
        raw.write(sseText('message', deliveryText(lease), lease.ackId));
      });
      reply.hijack();
      raw.writeHead(200, {
        'content-type': 'text/event-stream; charset=utf-8',
        'cache-control': 'no-cache',
        connection: 'keep-alive',
        'x-accel-buffering': 'no',
      });
      const heartbeat = setInterval(() => raw.write(': keep-alive\n\n'), ctx.options.consume.sseHeartbeatMs);
      heartbeat.unref();
      raw.once('close', () => {
        clearInterval(heartbeat);
        void session.close();
      });
      try {
        await session.open();
      } catch (error) {
        clearInterval(heartbeat);
        raw.end(sseEvent('error', problemFor(error).body));
        return;
      }
      if (!raw.destroyed) sendReady();
    },
  );
}
