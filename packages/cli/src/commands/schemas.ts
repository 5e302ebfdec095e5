import { readFile, writeFile } from 'node:fs/promises';
import { extname } from 'node:path';
import type { Command } from 'commander';
import type {
  RegistryCompatibilityResponse,
  RegistryReferenceJson,
  RegistryRegisterRequest,
  RegistryRegisterResponse,
  RegistrySubjectVersionJson,
} from '@eddy/server/api';
import type { EventTypeSchema, ResolvedReference } from '@eddy/schemas';
import { seg } from '../client.js';
import type { CliContext } from '../context.js';
import { BadInputError, IncompatibleSchemaCliError } from '../errors.js';
import { printJson, printTable } from '../output.js';

const TYPES_BY_EXTENSION: Readonly<Record<string, string>> = {
  '.avsc': 'AVRO',
  '.json': 'JSON',
  '.proto': 'PROTOBUF',
};

interface SchemaFileOptions {
  type?: string;
  reference?: string[];
}

/** `name=subject:version`, as `--reference` takes it. */
function parseReference(text: string): RegistryReferenceJson {
  const match = /^(.+)=(.+):(\d+)$/.exec(text);
  if (match === null) {
    throw new BadInputError(
      `Reference "${text}" must be name=subject:version, e.g. com.acme.Money=money-value:1.`,
    );
  }
  return { name: match[1]!, subject: match[2]!, version: Number(match[3]) };
}

/** The request body for a schema file: its text, its type (from --type or the extension) and references. */
async function schemaRequest(file: string, options: SchemaFileOptions): Promise<RegistryRegisterRequest> {
  let schema: string;
  try {
    schema = await readFile(file, 'utf8');
  } catch (error) {
    throw new BadInputError(`Cannot read schema file ${file}: ${(error as Error).message}.`);
  }
  const schemaType = options.type?.toUpperCase() ?? TYPES_BY_EXTENSION[extname(file).toLowerCase()];
  if (schemaType === undefined) {
    throw new BadInputError(
      `Cannot tell the schema type of ${file}: name it .avsc, .json or .proto, or pass --type AVRO|JSON|PROTOBUF.`,
    );
  }
  const references = (options.reference ?? []).map(parseReference);
  return { schema, schemaType, ...(references.length === 0 ? {} : { references }) };
}

const collect = (value: string, previous: string[] = []): string[] => [...previous, value];
const collectList = (value: string, previous: string[] = []): string[] => [
  ...previous,
  ...value
    .split(',')
    .map((item) => item.trim())
    .filter((item) => item !== ''),
];

/** `eddy schemas list|get|register|check|delete|codegen`: the gateway's schema registry (`/registry`). */
export function registerSchemas(program: Command, ctx: CliContext): void {
  const schemas = program
    .command('schemas')
    .description('list, show, register, check and delete schemas in the gateway’s registry; generate types');

  schemas
    .command('list')
    .alias('ls')
    .description('subjects with their latest version, schema id and type')
    .option('--prefix <prefix>', 'only subjects starting with this')
    .option('--deleted', 'include soft-deleted subjects')
    .action(async (options: { prefix?: string; deleted?: boolean }, command: Command) => {
      const client = ctx.client(command);
      const query = new URLSearchParams();
      if (options.prefix !== undefined) query.set('subjectPrefix', options.prefix);
      if (options.deleted === true) query.set('deleted', 'true');
      const subjects = await client.get<string[]>(`/registry/subjects?${query.toString()}`);
      const latest = await Promise.all(
        subjects.map((subject) =>
          client
            .get<RegistrySubjectVersionJson>(
              `/registry/subjects/${seg(subject)}/versions/latest${options.deleted === true ? '?deleted=true' : ''}`,
            )
            .catch(() => undefined),
        ),
      );
      const rows = subjects.map((subject, i) => ({
        subject,
        version: latest[i]?.version,
        id: latest[i]?.id,
        schemaType: latest[i]?.schemaType ?? (latest[i] === undefined ? undefined : 'AVRO'),
      }));
      if (ctx.json(command)) return printJson(ctx.io, rows);
      printTable(
        ctx.io,
        ['SUBJECT', 'LATEST', 'ID', 'TYPE'],
        rows.map((row) => [row.subject, row.version, row.id, row.schemaType]),
      );
    });

  schemas
    .command('get')
    .alias('show')
    .description('one version of a subject (default latest): its id, type and schema text')
    .argument('<subject>')
    .argument('[version]', 'a version number, or latest', 'latest')
    .option('--deleted', 'also find a soft-deleted version')
    .action(async (subject: string, version: string, options: { deleted?: boolean }, command: Command) => {
      const found = await ctx
        .client(command)
        .get<RegistrySubjectVersionJson>(
          `/registry/subjects/${seg(subject)}/versions/${seg(version)}${options.deleted === true ? '?deleted=true' : ''}`,
        );
      if (ctx.json(command)) return printJson(ctx.io, found);
      ctx.io.stdout.write(
        `subject ${found.subject}  version ${found.version}  id ${found.id}  type ${found.schemaType ?? 'AVRO'}\n`,
      );
      for (const reference of found.references ?? []) {
        ctx.io.stdout.write(`reference ${reference.name} = ${reference.subject}:${reference.version}\n`);
      }
      let text = found.schema;
      try {
        if (found.schemaType !== 'PROTOBUF') text = JSON.stringify(JSON.parse(text), null, 2);
      } catch {
        // Printed as stored.
      }
      ctx.io.stdout.write(`${text}\n`);
    });

  schemas
    .command('register')
    .description('register a schema file under a subject (idempotent) and print its id and version')
    .argument('<subject>')
    .argument('<file>', 'schema file: .avsc (Avro), .json (JSON Schema) or .proto (Protobuf)')
    .option('--type <type>', 'AVRO, JSON or PROTOBUF (default from the file extension)')
    .option('--reference <name=subject:version>', 'a referenced schema (repeatable)', collect)
    .action(async (subject: string, file: string, options: SchemaFileOptions, command: Command) => {
      const client = ctx.client(command);
      const body = await schemaRequest(file, options);
      const { id } = await client.post<RegistryRegisterResponse>(
        `/registry/subjects/${seg(subject)}/versions`,
        body,
      );
      const found = await client.post<RegistrySubjectVersionJson>(`/registry/subjects/${seg(subject)}`, body);
      if (ctx.json(command)) return printJson(ctx.io, { subject, id, version: found.version });
      ctx.io.stdout.write(`registered ${subject} version ${found.version} (schema id ${id})\n`);
    });

  schemas
    .command('check')
    .description(
      'check a schema file against a subject’s compatibility level without registering it (exit 7 when incompatible)',
    )
    .argument('<subject>')
    .argument('<file>', 'schema file: .avsc (Avro), .json (JSON Schema) or .proto (Protobuf)')
    .option('--against <version>', 'check against this version only (a number or latest)')
    .option('--type <type>', 'AVRO, JSON or PROTOBUF (default from the file extension)')
    .option('--reference <name=subject:version>', 'a referenced schema (repeatable)', collect)
    .action(
      async (
        subject: string,
        file: string,
        options: SchemaFileOptions & { against?: string },
        command: Command,
      ) => {
        const body = await schemaRequest(file, options);
        const versions = options.against === undefined ? 'versions' : `versions/${seg(options.against)}`;
        const result = await ctx
          .client(command)
          .post<RegistryCompatibilityResponse>(
            `/registry/compatibility/subjects/${seg(subject)}/${versions}?verbose=true`,
            body,
          );
        if (ctx.json(command)) printJson(ctx.io, result);
        else if (result.is_compatible) ctx.io.stdout.write(`compatible with ${subject}\n`);
        else {
          ctx.io.stdout.write(`incompatible with ${subject}:\n`);
          for (const message of result.messages ?? []) ctx.io.stdout.write(`  ${message}\n`);
        }
        if (!result.is_compatible) throw new IncompatibleSchemaCliError(subject, result.messages ?? []);
      },
    );

  schemas
    .command('delete')
    .description('soft-delete a subject or one version; --permanent removes what was soft-deleted')
    .argument('<subject>')
    .argument('[version]', 'a version number, or latest (default: every version)')
    .option('--permanent', 'delete for good (after a soft delete)')
    .action(
      async (
        subject: string,
        version: string | undefined,
        options: { permanent?: boolean },
        command: Command,
      ) => {
        const query = options.permanent === true ? '?permanent=true' : '';
        const path =
          version === undefined
            ? `/registry/subjects/${seg(subject)}${query}`
            : `/registry/subjects/${seg(subject)}/versions/${seg(version)}${query}`;
        const deleted = await ctx.client(command).request<number | number[]>('DELETE', path);
        const numbers = Array.isArray(deleted) ? deleted : [deleted];
        if (ctx.json(command))
          return printJson(ctx.io, { subject, versions: numbers, permanent: options.permanent === true });
        ctx.io.stdout.write(
          `${options.permanent === true ? 'permanently deleted' : 'soft-deleted'} ${subject} version(s) ${numbers.join(', ')}\n`,
        );
      },
    );

  schemas
    .command('codegen')
    .description(
      'write a TypeScript Events map (event type -> data type) for createBus<Events> from the latest JSON Schema and Avro versions; each subject names its event type, referenced subjects are declared once and used by name',
    )
    .option('--out <file>', 'write the module to this file (default: print it)')
    .option(
      '--subjects <names>',
      'only these subjects, comma-separated or repeated (default: every JSON Schema and Avro subject)',
      collectList,
    )
    .action(async (options: { out?: string; subjects?: string[] }, command: Command) => {
      const client = ctx.client(command);
      const asked = options.subjects;
      const subjects = asked ?? (await client.get<string[]>('/registry/subjects'));
      const latest = await Promise.all(
        subjects.map((subject) =>
          client.get<RegistrySubjectVersionJson>(`/registry/subjects/${seg(subject)}/versions/latest`),
        ),
      );
      // Each referenced subject version is read once, however many schemas reference it.
      const read = new Map<string, Promise<ResolvedReference>>();
      const resolve = (references: readonly RegistryReferenceJson[]): Promise<ResolvedReference[]> =>
        Promise.all(
          references.map((reference) => {
            const key = `${reference.subject}\u0000${reference.version}`;
            let resolved = read.get(key);
            if (resolved === undefined) {
              resolved = client
                .get<RegistrySubjectVersionJson>(
                  `/registry/subjects/${seg(reference.subject)}/versions/${reference.version}`,
                )
                .then(async (found) => ({
                  ...reference,
                  schemaType: found.schemaType ?? 'AVRO',
                  schema: found.schema,
                  references: await resolve(found.references ?? []),
                }));
              read.set(key, resolved);
            }
            // The same version may be referenced under another name.
            return resolved.then((found) => ({ ...found, name: reference.name }));
          }),
        );
      const inputs: EventTypeSchema[] = [];
      const skipped: string[] = [];
      for (const found of latest) {
        const schemaType = found.schemaType ?? 'AVRO';
        if (schemaType === 'PROTOBUF') {
          if (asked !== undefined) {
            throw new BadInputError(
              `Subject "${found.subject}" is Protobuf: codegen covers JSON Schema and Avro. Generate Protobuf types with protobufjs's pbts.`,
            );
          }
          skipped.push(found.subject);
          continue;
        }
        inputs.push({
          eventType: found.subject,
          subject: found.subject,
          version: found.version,
          schemaType,
          schema: found.schema,
          references: await resolve(found.references ?? []),
        });
      }
      // Loaded here, not at startup: every other command runs without the converters.
      const { generateEventTypes } = await import('@eddy/schemas');
      const code = await generateEventTypes(inputs);
      if (options.out === undefined) ctx.io.stdout.write(code);
      else await writeFile(options.out, code);
      if (skipped.length > 0) ctx.io.stderr.write(`skipped Protobuf subjects: ${skipped.join(', ')}\n`);
      if (options.out === undefined) return;
      if (ctx.json(command)) {
        return printJson(ctx.io, {
          out: options.out,
          eventTypes: inputs.map((input) => input.eventType),
          skipped,
        });
      }
      ctx.io.stdout.write(`wrote ${inputs.length} event type(s) to ${options.out}\n`);
    });
}
