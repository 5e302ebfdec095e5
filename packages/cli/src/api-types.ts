/** Shapes of the gateway's JSON answers the CLI reads (see the server's `GET /openapi.json`). */

export interface PartitionJson {
  readonly partition: number;
  readonly firstOffset: string;
  readonly lastOffset?: string | null;
  readonly messages: number;
  readonly bytes: number;
}

export interface TopicJson {
  readonly name: string;
  readonly partitions: number;
  readonly messages: number;
  readonly bytes: number;
  readonly partitionInfo: readonly PartitionJson[];
}

export interface GroupPartitionJson {
  readonly partition: number;
  readonly position: string;
  readonly lag: number;
  readonly owner?: string | null;
  readonly behindRetention: boolean;
}

export interface GroupJson {
  readonly topic: string;
  readonly group: string;
  readonly lag: number;
  readonly members: number;
  readonly partitions: readonly GroupPartitionJson[];
}

export interface EventJson {
  readonly id: string;
  readonly type: string;
  readonly source: string;
  readonly time?: string;
  readonly data?: unknown;
  readonly data_base64?: string;
  readonly correlationid?: string;
  readonly causationid?: string;
  readonly [attribute: string]: unknown;
}

export interface StoredMessageJson {
  readonly partition: number;
  readonly offset: string;
  readonly key: string | null;
  readonly publishedAt: string;
  readonly event: EventJson | null;
}

export interface DeadLetterJson {
  readonly id: string;
  readonly deadLetterTopic: string;
  readonly deadLetteredAt: string;
  readonly key: string | null;
  readonly event: EventJson | null;
  readonly error: { readonly name: string; readonly message: string; readonly stack: string | null };
  readonly attempts: number;
  readonly original: {
    readonly topic: string;
    readonly partition: number;
    readonly offset: string;
    readonly handler: string;
    readonly group: string;
  };
}

export interface PublishedPositionJson {
  readonly id: string;
  readonly topic: string;
  readonly partition: number;
  readonly offset: string;
}
