/**
 * The `SchemaStore` port of @eddy/schemas as this suite drives it. It mirrors the port member for
 * member because this package does not depend on @eddy/schemas (yet); @eddy/schemas' own tests
 * assert both ways that its `SchemaStore` and this type are assignable, so they cannot drift.
 */
export type SchemaTypeName = 'AVRO' | 'JSON' | 'PROTOBUF';
export type CompatibilityLevelName =
  'NONE' | 'BACKWARD' | 'BACKWARD_TRANSITIVE' | 'FORWARD' | 'FORWARD_TRANSITIVE' | 'FULL' | 'FULL_TRANSITIVE';
export type ModeName = 'READWRITE' | 'READONLY' | 'IMPORT';

export interface ReferenceUnderTest {
  readonly name: string;
  readonly subject: string;
  readonly version: number;
}

export interface StoredSchemaUnderTest {
  readonly id: number;
  readonly schemaType: SchemaTypeName;
  readonly schema: string;
  readonly references: readonly ReferenceUnderTest[];
  readonly fingerprint: string;
}

export type NewSchemaUnderTest = Omit<StoredSchemaUnderTest, 'id'>;

export interface StoredVersionUnderTest {
  readonly subject: string;
  readonly version: number;
  readonly schemaId: number;
  readonly deleted: boolean;
}

export type PutSchemaResultUnderTest =
  | { readonly outcome: 'created' | 'existing'; readonly id: number }
  | { readonly outcome: 'id-taken'; readonly id: number }
  | { readonly outcome: 'stored-under-other-id'; readonly id: number };

export interface ScopeConfigUnderTest {
  readonly compatibility?: CompatibilityLevelName;
  readonly mode?: ModeName;
}

export interface ScopeConfigUpdateUnderTest {
  readonly compatibility?: CompatibilityLevelName | null;
  readonly mode?: ModeName | null;
}

export interface SchemaStoreUnderTest {
  putSchema(
    schema: NewSchemaUnderTest,
    options?: { readonly id?: number },
  ): Promise<PutSchemaResultUnderTest>;
  getSchema(id: number): Promise<StoredSchemaUnderTest | undefined>;
  findSchema(fingerprint: string): Promise<StoredSchemaUnderTest | undefined>;
  addVersion(version: {
    readonly subject: string;
    readonly version: number;
    readonly schemaId: number;
  }): Promise<boolean>;
  listVersions(subject: string): Promise<StoredVersionUnderTest[]>;
  listSubjects(options: { readonly includeDeleted: boolean }): Promise<string[]>;
  listVersionsOfSchema(id: number): Promise<StoredVersionUnderTest[]>;
  listReferrers(subject: string, version: number): Promise<StoredVersionUnderTest[]>;
  softDeleteVersion(subject: string, version: number): Promise<boolean>;
  deleteVersion(subject: string, version: number): Promise<boolean>;
  getConfig(subject: string | null): Promise<ScopeConfigUnderTest>;
  updateConfig(subject: string | null, update: ScopeConfigUpdateUnderTest): Promise<ScopeConfigUnderTest>;
  close(): Promise<void>;
}
