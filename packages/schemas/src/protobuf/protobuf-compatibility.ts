import protobuf from 'protobufjs';
import type { Incompatibility } from '../parsed-schema.js';
import type { ParsedProtobufSchema } from './parse-protobuf.js';
import { COMPATIBLE_PROTOBUF_CHANGES, protobufReason } from './protobuf-kinds.js';

/** One change between two .proto files, at a path of message names and field numbers. */
export interface ProtobufDifference {
  readonly kind: string;
  readonly path: string;
}

type Named = protobuf.Type | protobuf.Enum;

/** Scalars that share a wire encoding read each other (the Protobuf language guide's update rules). */
const SCALAR_GROUPS: Readonly<Record<string, string>> = {
  int32: 'varint',
  int64: 'varint',
  uint32: 'varint',
  uint64: 'varint',
  bool: 'varint',
  sint32: 'zigzag',
  sint64: 'zigzag',
  string: 'length',
  bytes: 'length',
  fixed32: 'fixed32',
  sfixed32: 'fixed32',
  fixed64: 'fixed64',
  sfixed64: 'fixed64',
  float: 'float',
  double: 'double',
};

/**
 * Lists what breaks when `reader` reads data written with `writer`, by field number: removed and
 * added fields, type changes outside a wire-compatible group, label changes of numeric fields,
 * oneof moves, removed messages, a changed package, and (Eddy's addition) fields reusing a number
 * or name the writer reserved. Confluent's rules otherwise; protobufjs has no comparison of its own.
 */
export function protobufIncompatibilities(
  reader: ParsedProtobufSchema,
  writer: ParsedProtobufSchema,
): Incompatibility[] {
  return protobufDifferences(writer, reader)
    .filter((difference) => !COMPATIBLE_PROTOBUF_CHANGES.has(difference.kind))
    .map((difference) => ({ ...difference, message: protobufReason(difference.kind) }));
}

/** Every change from `original` to `update`, compatible or not. */
export function protobufDifferences(
  original: ParsedProtobufSchema,
  update: ParsedProtobufSchema,
): ProtobufDifference[] {
  const found: ProtobufDifference[] = [];
  const inProgress = new Set<string>();
  const add = (kind: string, path: readonly string[]): void => {
    found.push({ kind, path: `#/${path.join('/')}` });
  };

  const compareTypes = (before: readonly Named[], after: readonly Named[], path: readonly string[]): void => {
    const messagesBefore = before.filter((item) => item instanceof protobuf.Type);
    const messagesAfter = after.filter((item) => item instanceof protobuf.Type);
    const names = new Set([...messagesBefore, ...messagesAfter].map((item) => item.name));
    for (const name of names) {
      const o = messagesBefore.find((item) => item.name === name);
      const u = messagesAfter.find((item) => item.name === name);
      if (u === undefined) add('MESSAGE_REMOVED', [...path, name]);
      else if (o === undefined) add('MESSAGE_ADDED', [...path, name]);
      else {
        compareMessage(o, u, [...path, name]);
        // Moving a message is fine: Confluent's wire format indexes messages within the writer's schema.
        if (messagesBefore.indexOf(o) !== messagesAfter.indexOf(u)) add('MESSAGE_MOVED', [...path, name]);
      }
    }
    const enumsBefore = before.filter((item) => item instanceof protobuf.Enum);
    const enumsAfter = after.filter((item) => item instanceof protobuf.Enum);
    for (const name of new Set([...enumsBefore, ...enumsAfter].map((item) => item.name))) {
      const o = enumsBefore.find((item) => item.name === name);
      const u = enumsAfter.find((item) => item.name === name);
      if (u === undefined) add('ENUM_REMOVED', [...path, name]);
      else if (o === undefined) add('ENUM_ADDED', [...path, name]);
      else compareEnum(o, u, [...path, name]);
    }
  };

  const compareEnum = (o: protobuf.Enum, u: protobuf.Enum, path: readonly string[]): void => {
    const byNumber = (item: protobuf.Enum): Map<number, string> =>
      new Map(Object.entries(item.values).map(([name, number]) => [number, name]));
    const before = byNumber(o);
    const after = byNumber(u);
    for (const number of new Set([...before.keys(), ...after.keys()])) {
      const b = before.get(number);
      const a = after.get(number);
      if (a === undefined) add('ENUM_CONST_REMOVED', [...path, String(number)]);
      else if (b === undefined) add('ENUM_CONST_ADDED', [...path, String(number)]);
      else if (a !== b) add('ENUM_CONST_CHANGED', [...path, String(number)]);
    }
  };

  const compareMessage = (o: protobuf.Type, u: protobuf.Type, path: readonly string[]): void => {
    const key = `${o.fullName}\u0000${u.fullName}`;
    if (inProgress.has(key)) return;
    inProgress.add(key);
    const before = fieldsOf(o);
    const after = fieldsOf(u);
    // A oneof removed with all its members is a plain deletion; one whose members partly survive
    // reports each dropped member.
    const deletedOneofs = new Set(
      [...before.oneofs.keys()].filter(
        (name) => !after.oneofs.has(name) && before.oneofs.get(name)!.every((id) => !after.byId.has(id)),
      ),
    );
    for (const [name, members] of after.oneofs) {
      const origins = new Set<string>();
      let movedFromTop = 0;
      for (const id of members) {
        const previousOneof = before.oneofOf.get(id);
        if (previousOneof !== undefined) origins.add(`oneof:${previousOneof}`);
        else if (before.byId.has(id)) {
          origins.add(`field:${id}`);
          movedFromTop++;
        }
      }
      if (origins.size > 1) {
        add(movedFromTop > 1 ? 'MULTIPLE_FIELDS_MOVED_TO_ONEOF' : 'FIELD_MOVED_TO_EXISTING_ONEOF', [
          ...path,
          name,
        ]);
      }
    }
    for (const name of [...new Set([...before.oneofs.keys(), ...after.oneofs.keys()])].sort()) {
      if (!after.oneofs.has(name)) add('ONEOF_REMOVED', [...path, name]);
      else if (!before.oneofs.has(name)) add('ONEOF_ADDED', [...path, name]);
    }
    const ids = [...new Set([...before.byId.keys(), ...after.byId.keys()])].sort((a, b) => a - b);
    for (const id of ids) {
      const b = before.byId.get(id);
      const a = after.byId.get(id);
      const oneofBefore = before.oneofOf.get(id);
      const oneofAfter = after.oneofOf.get(id);
      if (a === undefined) {
        if (oneofBefore !== undefined) {
          if (!deletedOneofs.has(oneofBefore)) add('ONEOF_FIELD_REMOVED', [...path, oneofBefore, String(id)]);
        } else add(b!.required ? 'REQUIRED_FIELD_REMOVED' : 'FIELD_REMOVED', [...path, String(id)]);
      } else if (b === undefined) {
        const at = oneofAfter !== undefined ? [...path, oneofAfter, String(id)] : [...path, String(id)];
        if (o.isReservedId(id)) add('RESERVED_FIELD_NUMBER_REUSED', at);
        if (o.isReservedName(a.name)) add('RESERVED_FIELD_NAME_REUSED', at);
        if (oneofAfter !== undefined) add('ONEOF_FIELD_ADDED', at);
        else add(a.required ? 'REQUIRED_FIELD_ADDED' : 'FIELD_ADDED', at);
      } else {
        if (oneofBefore !== undefined && oneofAfter === undefined) {
          add('ONEOF_FIELD_MOVED_TO_TOP_LEVEL', [...path, String(id)]);
        }
        const at = oneofAfter !== undefined ? [...path, oneofAfter, String(id)] : [...path, String(id)];
        if (b.name !== a.name) add('FIELD_NAME_CHANGED', at);
        compareField(b, a, at);
      }
    }
    compareTypes(nestedOf(o), nestedOf(u), path);
    inProgress.delete(key);
  };

  const compareField = (b: protobuf.Field, a: protobuf.Field, path: readonly string[]): void => {
    const kindBefore = fieldKind(b);
    const kindAfter = fieldKind(a);
    if (kindBefore !== kindAfter) return add('FIELD_KIND_CHANGED', path);
    if (kindBefore === 'map') {
      const keyBefore = SCALAR_GROUPS[keyTypeOf(b)];
      const keyAfter = SCALAR_GROUPS[keyTypeOf(a)];
      if (keyBefore !== keyAfter) add('FIELD_SCALAR_KIND_CHANGED', path);
      return compareValue(b, a, path, false);
    }
    compareValue(b, a, path, true);
  };

  /** Compares the value type of a field (or of a map's values); labels only for plain fields. */
  const compareValue = (
    b: protobuf.Field,
    a: protobuf.Field,
    path: readonly string[],
    withLabel: boolean,
  ): void => {
    const messageBefore = b.resolvedType instanceof protobuf.Type ? b.resolvedType : undefined;
    const messageAfter = a.resolvedType instanceof protobuf.Type ? a.resolvedType : undefined;
    if ((messageBefore === undefined) !== (messageAfter === undefined))
      return add('FIELD_KIND_CHANGED', path);
    if (messageBefore !== undefined && messageAfter !== undefined) {
      if (localName(messageBefore, original) !== localName(messageAfter, update)) {
        return add('FIELD_NAMED_TYPE_CHANGED', path);
      }
      const before = found.length;
      compareMessage(messageBefore, messageAfter, path);
      const nested = found.slice(before);
      if (nested.some((difference) => !COMPATIBLE_PROTOBUF_CHANGES.has(difference.kind))) {
        add('FIELD_NAMED_TYPE_CHANGED', path);
      }
      return;
    }
    const groupBefore = scalarGroup(b);
    const groupAfter = scalarGroup(a);
    if (groupBefore !== groupAfter) return add('FIELD_SCALAR_KIND_CHANGED', path);
    if (withLabel && labelOf(b) !== labelOf(a)) {
      add(
        groupBefore === 'length' ? 'FIELD_STRING_OR_BYTES_LABEL_CHANGED' : 'FIELD_NUMERIC_LABEL_CHANGED',
        path,
      );
    }
  };

  if (original.packageName !== update.packageName) add('PACKAGE_CHANGED', []);
  compareTypes(original.types, update.types, []);
  return found;
}

interface MessageFields {
  readonly byId: ReadonlyMap<number, protobuf.Field>;
  readonly oneofOf: ReadonlyMap<number, string>;
  readonly oneofs: ReadonlyMap<string, readonly number[]>;
}

/** Fields by number, and the real oneofs (not the synthetic ones proto3 `optional` creates). */
function fieldsOf(type: protobuf.Type): MessageFields {
  const byId = new Map(type.fieldsArray.map((field) => [field.id, field]));
  const oneofOf = new Map<number, string>();
  const oneofs = new Map<string, number[]>();
  for (const oneof of type.oneofsArray) {
    const members = oneof.fieldsArray;
    const synthetic =
      members.length === 1 &&
      (members[0]!.options as Record<string, unknown> | undefined)?.proto3_optional === true;
    if (synthetic) continue;
    oneofs.set(
      oneof.name,
      members.map((field) => field.id),
    );
    for (const field of members) oneofOf.set(field.id, oneof.name);
  }
  return { byId, oneofOf, oneofs };
}

function nestedOf(type: protobuf.Type): Named[] {
  return type.nestedArray.filter(
    (item): item is Named => item instanceof protobuf.Type || item instanceof protobuf.Enum,
  );
}

function fieldKind(field: protobuf.Field): 'map' | 'message' | 'scalar' {
  if (field.map) return 'map';
  return field.resolvedType instanceof protobuf.Type ? 'message' : 'scalar';
}

const keyTypeOf = (field: protobuf.Field): string => (field as unknown as { keyType: string }).keyType;

function scalarGroup(field: protobuf.Field): string {
  if (field.resolvedType instanceof protobuf.Enum) return 'varint';
  return SCALAR_GROUPS[field.type] ?? field.type;
}

function labelOf(field: protobuf.Field): string {
  if (field.repeated) return 'repeated';
  return field.required ? 'required' : 'singular';
}

/** A message's name inside its file's package, so a package rename alone does not count twice. */
function localName(type: protobuf.Type, schema: ParsedProtobufSchema): string {
  const full = type.fullName.replace(/^\./, '');
  const prefix = schema.packageName === '' ? '' : `${schema.packageName}.`;
  return prefix !== '' && full.startsWith(prefix) ? full.slice(prefix.length) : full;
}
