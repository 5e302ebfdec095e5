/**
 * What a transport guarantees. The router and the conformance suite read these flags, and each
 * transport's README publishes its table.
 */
export interface TransportCapabilities {
  /** A resolved publish survives a restart of the process and of the backend. */
  readonly durable: boolean;
  /** Messages with the same key are delivered in publish order within a group. */
  readonly orderingPerKey: boolean;
  /** Consumer groups: competing consumers inside a group, fan-out across groups. */
  readonly consumerGroups: boolean;
  /** A new group can start from earliest or from given offsets. */
  readonly replay: boolean;
  /** A new group can start from a point in time. */
  readonly replayFromTime: boolean;
  /** `OutgoingMessage.deliverAt` is honoured. */
  readonly delayedDelivery: boolean;
  /** A nack can ask for redelivery after a delay (`Nack.delayMs`). */
  readonly nackDelay: boolean;
  /**
   * `SubscribeOptions.filter` is applied by the transport: messages it drops are acknowledged for the
   * group without reaching the handler, never redelivered, and reported to `onFiltered`. Where
   * false, a filter is refused and the subscriber (the bus) filters instead.
   */
  readonly filtering: boolean;
  /**
   * Messages whose `ce-supersede` header is `true` are last values of their `ce-type` and key: the
   * transport settles such a message, without delivering it, when a newer one of the same type and
   * key reaches the consumer before it was delivered, and reports it to `onSuperseded`.
   */
  readonly supersede: boolean;
  /** Largest accepted message (payload + key + headers), bytes. */
  readonly maxMessageBytes: number;
  /**
   * A running delivery's ack deadline can be pushed back (`Subscription.extendLease`), so a slow
   * handler keeps its message instead of seeing it redelivered. Absent means false.
   */
  readonly leaseExtension?: boolean;
  /**
   * `OutgoingMessage.dedupe` is honoured: a repeat of a key is dropped, or replaces or postpones
   * the pending message of that key. Absent means false.
   */
  readonly publishDedupe?: boolean;
  /**
   * The backend orders a topic's waiting messages by their `ce-priority` header (0-9, the
   * CloudEvents `priority` extension), highest first, in its own queues: the bus publishes every
   * level to the topic itself instead of `<topic>.priority-<n>` lanes. Absent means false.
   */
  readonly priority?: boolean;
}
