import { isEddyError } from '@eddy/core';
import { InvalidOptionError } from '@eddy/core/internal';
import {
  SchemaErrorCodes,
  type RegisterInput,
  type SchemaById,
  type SchemaRegistry,
  type SchemaReference,
} from '@eddy/schemas';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import '../http/route-config.js';
import type {
  RegistryCompatibilityResponse,
  RegistryConfigResponse,
  RegistryConfigUpdate,
  RegistryModeJson,
  RegistryRegisterResponse,
  RegistrySchemaJson,
  RegistrySubjectVersionJson,
} from './registry-api-types.js';
import { sendRegistryError } from './registry-errors.js';

/** Confluent's media types; requests may use any of them (or plain JSON), answers use the first. */
const REGISTRY_MEDIA_TYPE = 'application/vnd.schemaregistry.v1+json';
const ACCEPTED_MEDIA_TYPES = [REGISTRY_MEDIA_TYPE, 'application/vnd.schemaregistry+json'];

type Query = Record<string, string | undefined>;
type SubjectParams = { subject: string };
type VersionParams = { subject: string; version: string };

const flag = (query: Query, name: string): boolean => query[name]?.toLowerCase() === 'true';

function schemaJson(schema: SchemaById): RegistrySchemaJson {
  return {
    schema: schema.schema,
    ...(schema.schemaType === 'AVRO' ? {} : { schemaType: schema.schemaType }),
    ...(schema.references.length === 0 ? {} : { references: schema.references }),
  };
}

function subjectVersionJson(
  schema: SchemaById & { subject: string; version: number },
): RegistrySubjectVersionJson {
  return { subject: schema.subject, version: schema.version, id: schema.id, ...schemaJson(schema) };
}

function schemaId(text: string): number {
  const id = Number(text);
  if (!Number.isSafeInteger(id) || id < 1) {
    throw new InvalidOptionError(`Schema id "${text}" must be a positive integer.`);
  }
  return id;
}

/** The register, lookup and compatibility body: `{ schema, schemaType?, references?, id?, version? }`. */
function schemaBody(body: unknown): RegisterInput {
  const input = (typeof body === 'object' && body !== null ? body : {}) as Record<string, unknown>;
  const { schema, schemaType, references, id, version } = input;
  if (typeof schema !== 'string') {
    // Handed to the registry so the answer is Confluent's 42201 (invalid schema).
    return { schema: '' };
  }
  return {
    schema,
    ...(typeof schemaType === 'string' ? { schemaType } : {}),
    ...(Array.isArray(references) ? { references: references as SchemaReference[] } : {}),
    ...(typeof id === 'number' ? { id } : {}),
    ...(typeof version === 'number' ? { version } : {}),
  };
}

function field(body: unknown, name: string): unknown {
  return typeof body === 'object' && body !== null ? (body as Record<string, unknown>)[name] : undefined;
}

/** Options of `registerRegistryRoutes`. */
export interface RegistryRoutesOptions {
  readonly registry: SchemaRegistry;
}

/**
 * Confluent Schema Registry's REST API under the plugin's prefix (`/registry`): schemas by id,
 * subjects and versions, lookup, soft and permanent deletes, compatibility checks, config and
 * modes, with Confluent's status codes and `error_code` values. Reads and checks need any API key;
 * changes (register, delete, config, mode) need the admin scope.
 */
export function registerRegistryRoutes(app: FastifyInstance, options: RegistryRoutesOptions): void {
  const { registry } = options;
  app.setErrorHandler((error, request, reply) => sendRegistryError(error, request, reply));
  app.setNotFoundHandler((request, reply) => {
    void reply.status(404).send({
      error_code: 404,
      message: `No registry route ${request.method} ${request.url.split('?')[0] ?? ''}. Confluent's REST API is served under /registry.`,
    });
  });
  // Confluent clients send the content type on bodiless requests too (DELETE): an empty body is none.
  const parseJson = app.getDefaultJsonParser('error', 'ignore');
  app.removeContentTypeParser('application/json');
  app.addContentTypeParser(
    [...ACCEPTED_MEDIA_TYPES, 'application/json'],
    { parseAs: 'string' },
    (request, body, done) => {
      if (body === '') done(null, undefined);
      else void parseJson(request, body as string, done);
    },
  );
  app.addHook('onRequest', (_request, reply, done) => {
    void reply.type(REGISTRY_MEDIA_TYPE);
    done();
  });

  const read = { access: 'authenticated' } as const;
  const change = { access: 'admin' } as const;
  const tags = ['registry'];
  const get = <P>(
    url: string,
    summary: string,
    handler: (request: FastifyRequest<{ Params: P; Querystring: Query }>, reply: FastifyReply) => unknown,
  ): void => {
    app.get<{ Params: P; Querystring: Query }>(
      url,
      { schema: { summary, tags, ...paramsSchemaOf(url) }, config: read },
      handler,
    );
  };
  const write = <P>(
    method: 'POST' | 'PUT' | 'DELETE',
    url: string,
    summary: string,
    access: typeof read | typeof change,
    handler: (request: FastifyRequest<{ Params: P; Querystring: Query }>, reply: FastifyReply) => unknown,
  ): void => {
    app.route<{ Params: P; Querystring: Query }>({
      method,
      url,
      schema: { summary, tags, ...paramsSchemaOf(url) },
      config: access,
      handler,
    });
  };

  get('/', 'Registry root (Confluent clients probe it)', () => ({}));
  get('/schemas/types', 'Schema types the registry parses', () => registry.schemaTypes());

  get<{ id: string }>('/schemas/ids/:id', 'A schema by global id', async (request) =>
    schemaJson(await registry.getSchemaById(schemaId(request.params.id))),
  );
  get<{ id: string }>(
    '/schemas/ids/:id/schema',
    'The text of a schema by global id',
    async (request) => (await registry.getSchemaById(schemaId(request.params.id))).schema,
  );
  get<{ id: string }>('/schemas/ids/:id/versions', 'Subject/version pairs holding a schema id', (request) =>
    registry.getSchemaVersions(schemaId(request.params.id), { deleted: flag(request.query, 'deleted') }),
  );
  get<{ id: string }>('/schemas/ids/:id/subjects', 'Subjects holding a schema id', async (request) => {
    const versions = await registry.getSchemaVersions(schemaId(request.params.id), {
      deleted: flag(request.query, 'deleted'),
    });
    return [...new Set(versions.map((version) => version.subject))];
  });

  get('/subjects', 'Subject names', (request) => {
    const prefix = request.query['subjectPrefix'];
    return registry.listSubjects({
      deleted: flag(request.query, 'deleted'),
      ...(prefix === undefined ? {} : { prefix }),
    });
  });
  get<SubjectParams>('/subjects/:subject/versions', 'Version numbers of a subject', (request) =>
    registry.listVersions(request.params.subject, { deleted: flag(request.query, 'deleted') }),
  );
  get<VersionParams>('/subjects/:subject/versions/:version', 'One version of a subject', async (request) =>
    subjectVersionJson(
      await registry.getVersion(request.params.subject, request.params.version, {
        deleted: flag(request.query, 'deleted'),
      }),
    ),
  );
  get<VersionParams>(
    '/subjects/:subject/versions/:version/schema',
    'The text of one version of a subject',
    async (request) =>
      (
        await registry.getVersion(request.params.subject, request.params.version, {
          deleted: flag(request.query, 'deleted'),
        })
      ).schema,
  );
  get<VersionParams>(
    '/subjects/:subject/versions/:version/referencedby',
    'Ids of the schemas referencing a version',
    (request) => registry.getReferencedBy(request.params.subject, request.params.version),
  );

  write<SubjectParams>(
    'POST',
    '/subjects/:subject/versions',
    'Register a schema under a subject (idempotent)',
    change,
    async (request): Promise<RegistryRegisterResponse> => {
      const registered = await registry.register(request.params.subject, schemaBody(request.body));
      return { id: registered.id };
    },
  );
  write<SubjectParams>(
    'POST',
    '/subjects/:subject',
    'Find the version of a subject holding a schema',
    read,
    async (request) =>
      subjectVersionJson(
        await registry.lookup(request.params.subject, schemaBody(request.body), {
          deleted: flag(request.query, 'deleted'),
        }),
      ),
  );
  write<SubjectParams>(
    'DELETE',
    '/subjects/:subject',
    'Delete a subject (soft, or permanent)',
    change,
    (request) =>
      registry.deleteSubject(request.params.subject, { permanent: flag(request.query, 'permanent') }),
  );
  write<VersionParams>(
    'DELETE',
    '/subjects/:subject/versions/:version',
    'Delete a version (soft, or permanent)',
    change,
    (request) =>
      registry.deleteVersion(request.params.subject, request.params.version, {
        permanent: flag(request.query, 'permanent'),
      }),
  );

  const compatibility = async (
    request: FastifyRequest<{ Params: Partial<VersionParams> & SubjectParams; Querystring: Query }>,
  ): Promise<RegistryCompatibilityResponse> => {
    const { subject, version } = request.params;
    const verbose = flag(request.query, 'verbose');
    let result;
    try {
      result = await registry.checkCompatibility(
        subject,
        schemaBody(request.body),
        version === undefined ? {} : { version },
      );
    } catch (error) {
      // As Confluent: with verbose, a schema that does not parse is an incompatible answer with the
      // parser's message, not a 422.
      if (verbose && isEddyError(error, SchemaErrorCodes.InvalidSchema)) {
        return { is_compatible: false, messages: [error.message] };
      }
      throw error;
    }
    return verbose
      ? { is_compatible: result.compatible, messages: result.messages }
      : { is_compatible: result.compatible };
  };
  write<VersionParams>(
    'POST',
    '/compatibility/subjects/:subject/versions/:version',
    'Check a schema against one version',
    read,
    compatibility,
  );
  write<SubjectParams>(
    'POST',
    '/compatibility/subjects/:subject/versions',
    'Check a schema against the versions the level names',
    read,
    compatibility,
  );

  const scopeOf = (params: Partial<SubjectParams>): { subject?: string } =>
    params.subject === undefined ? {} : { subject: params.subject };
  for (const url of ['/config', '/config/:subject']) {
    get<Partial<SubjectParams>>(
      url,
      'Compatibility level (404 40408 for a subject without its own, unless defaultToGlobal=true)',
      async (request): Promise<RegistryConfigResponse> => ({
        compatibilityLevel: await registry.getCompatibility({
          ...scopeOf(request.params),
          defaultToGlobal: flag(request.query, 'defaultToGlobal'),
        }),
      }),
    );
    write<Partial<SubjectParams>>(
      'PUT',
      url,
      'Set the compatibility level',
      change,
      async (request): Promise<RegistryConfigUpdate> => ({
        compatibility: await registry.setCompatibility(
          field(request.body, 'compatibility') ?? field(request.body, 'compatibilityLevel'),
          scopeOf(request.params),
        ),
      }),
    );
    write<Partial<SubjectParams>>(
      'DELETE',
      url,
      'Remove the compatibility level (the registry-wide one returns to the default)',
      change,
      async (request): Promise<RegistryConfigResponse> => ({
        compatibilityLevel: await registry.deleteCompatibility(scopeOf(request.params)),
      }),
    );
  }
  for (const url of ['/mode', '/mode/:subject']) {
    get<Partial<SubjectParams>>(
      url,
      'Mode (404 40409 for a subject without its own, unless defaultToGlobal=true)',
      async (request): Promise<RegistryModeJson> => ({
        mode: await registry.getMode({
          ...scopeOf(request.params),
          defaultToGlobal: flag(request.query, 'defaultToGlobal'),
        }),
      }),
    );
    write<Partial<SubjectParams>>(
      'PUT',
      url,
      'Set the mode (IMPORT needs an empty scope unless force=true)',
      change,
      async (request): Promise<RegistryModeJson> => ({
        mode: await registry.setMode(field(request.body, 'mode'), {
          ...scopeOf(request.params),
          force: flag(request.query, 'force'),
        }),
      }),
    );
    write<Partial<SubjectParams>>(
      'DELETE',
      url,
      'Remove the mode (the registry-wide one returns to the default)',
      change,
      async (request): Promise<RegistryModeJson> => ({
        mode: await registry.deleteMode(scopeOf(request.params)),
      }),
    );
  }
}

/**
 * The path parameters of a route as a JSON schema of strings, so `/openapi.json` declares every
 * `{param}` its paths hold (strict validators require it). Handlers parse the values themselves, to
 * answer with Confluent's error codes.
 */
function paramsSchemaOf(url: string): { params?: object } {
  const names = [...url.matchAll(/:([A-Za-z]+)/g)].map((match) => match[1] as string);
  if (names.length === 0) return {};
  return {
    params: {
      type: 'object',
      properties: Object.fromEntries(names.map((name) => [name, { type: 'string' }])),
      required: names,
    },
  };
}
