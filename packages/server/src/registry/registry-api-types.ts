/**
 * JSON shapes of the Confluent-compatible registry under `/registry`, as Confluent Schema Registry
 * writes them (snake_case where Confluent uses it).
 */

/** A reference from one schema to another registered one. */
export interface RegistryReferenceJson {
  readonly name: string;
  readonly subject: string;
  readonly version: number;
}

/** `GET /registry/schemas/ids/{id}`: `schemaType` and `references` are left out for Avro and none. */
export interface RegistrySchemaJson {
  readonly schema: string;
  readonly schemaType?: 'JSON' | 'PROTOBUF';
  readonly references?: readonly RegistryReferenceJson[];
}

/** `GET /registry/subjects/{subject}/versions/{version}` and the lookup `POST /registry/subjects/{subject}`. */
export interface RegistrySubjectVersionJson extends RegistrySchemaJson {
  readonly subject: string;
  readonly version: number;
  readonly id: number;
}

/** Body of `POST /registry/subjects/{subject}/versions` (`id` and `version` in IMPORT mode only). */
export interface RegistryRegisterRequest {
  readonly schema: string;
  /** AVRO when left out. */
  readonly schemaType?: string;
  readonly references?: readonly RegistryReferenceJson[];
  readonly id?: number;
  readonly version?: number;
}

export interface RegistryRegisterResponse {
  readonly id: number;
}

/** `POST /registry/compatibility/subjects/{subject}/versions[/{version}]`; `messages` with `verbose=true`. */
export interface RegistryCompatibilityResponse {
  readonly is_compatible: boolean;
  readonly messages?: readonly string[];
}

/** `GET` and `DELETE /registry/config[/{subject}]`. */
export interface RegistryConfigResponse {
  readonly compatibilityLevel: string;
}

/** `PUT /registry/config[/{subject}]`: the request and the answer. */
export interface RegistryConfigUpdate {
  readonly compatibility: string;
}

/** `GET`, `PUT` and `DELETE /registry/mode[/{subject}]`. */
export interface RegistryModeJson {
  readonly mode: string;
}

/** Every failure under `/registry`, with Confluent's status and `error_code`. */
export interface RegistryErrorBody {
  readonly error_code: number;
  readonly message: string;
}
