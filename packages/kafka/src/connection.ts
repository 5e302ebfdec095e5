import kafkajs, { type Admin, type Kafka, type Producer, type SASLOptions } from 'kafkajs';
import { toEddyError } from './errors.js';
import type { KafkaSaslOptions, ResolvedKafkaOptions } from './options.js';

// kafkajs is CommonJS; Node's ESM loader does not see all of its exports as named ones.
const { Kafka: KafkaClient, logLevel, Partitioners } = kafkajs;

const LOG_LEVELS = {
  nothing: logLevel.NOTHING,
  error: logLevel.ERROR,
  warn: logLevel.WARN,
  info: logLevel.INFO,
  debug: logLevel.DEBUG,
} as const;

/** The clients a transport shares: consumers are created per subscription from `kafka`. */
export interface KafkaConnection {
  readonly kafka: Kafka;
  readonly admin: Admin;
  readonly producer: Producer;
}

/** The brokers as error messages name them: `Kafka at 127.0.0.1:9092`. */
export function describeTarget(brokers: readonly string[]): string {
  return `Kafka at ${brokers.join(', ')}`;
}

function saslOf({ mechanism, username, password }: KafkaSaslOptions): SASLOptions {
  switch (mechanism) {
    case 'plain':
      return { mechanism, username, password };
    case 'scram-sha-256':
      return { mechanism, username, password };
    case 'scram-sha-512':
      return { mechanism, username, password };
  }
}

/**
 * Connects a producer and an admin client to the brokers. Fails with a typed error
 * (`EDDY_CONNECTION_FAILED`, `EDDY_AUTH_FAILED`) once kafkajs has spent its `retries`.
 */
export async function openConnection(options: ResolvedKafkaOptions): Promise<KafkaConnection> {
  const connection = createClients(options);
  try {
    await connection.admin.connect();
    await connection.producer.connect();
  } catch (error) {
    await closeConnection(connection);
    throw toEddyError(error, 'connecting', describeTarget(options.brokers));
  }
  return connection;
}

/** The kafkajs clients of a transport, not connected: making them needs no broker. */
export function createClients(options: ResolvedKafkaOptions): KafkaConnection {
  const kafka = new KafkaClient({
    brokers: options.brokers,
    clientId: options.clientId,
    ssl: options.ssl,
    ...(options.sasl === undefined ? {} : { sasl: saslOf(options.sasl) }),
    connectionTimeout: options.connectionTimeoutMs,
    requestTimeout: options.requestTimeoutMs,
    retry: { retries: options.retries },
    logLevel: LOG_LEVELS[options.logLevel],
  });
  const admin = kafka.admin();
  // Eddy chooses partitions itself (partitionForKey); the partitioner only places retry messages.
  const producer = kafka.producer({
    allowAutoTopicCreation: false,
    createPartitioner: Partitioners.DefaultPartitioner,
  });
  return { kafka, admin, producer };
}

/** Disconnects the producer and the admin client; never rejects. */
export async function closeConnection({ admin, producer }: KafkaConnection): Promise<void> {
  await Promise.allSettled([producer.disconnect(), admin.disconnect()]);
}
