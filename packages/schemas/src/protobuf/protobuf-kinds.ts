/** Protobuf changes that keep old data readable (Confluent's list, plus Eddy's reserved checks). */
export const COMPATIBLE_PROTOBUF_CHANGES: ReadonlySet<string> = new Set([
  'MESSAGE_ADDED',
  'MESSAGE_MOVED',
  'ENUM_ADDED',
  'ENUM_REMOVED',
  'ENUM_CONST_ADDED',
  'ENUM_CONST_CHANGED',
  'ENUM_CONST_REMOVED',
  'FIELD_ADDED',
  'FIELD_REMOVED',
  'FIELD_NAME_CHANGED',
  'FIELD_STRING_OR_BYTES_LABEL_CHANGED',
  'ONEOF_ADDED',
  'ONEOF_REMOVED',
  'ONEOF_FIELD_ADDED',
  'ONEOF_FIELD_MOVED_TO_TOP_LEVEL',
]);

const REASONS: Readonly<Record<string, string>> = {
  PACKAGE_CHANGED: 'the package changed, so every type has a new full name',
  MESSAGE_REMOVED: 'a message was removed',
  FIELD_KIND_CHANGED: 'the field changed between scalar, message and map, which have different wire formats',
  FIELD_SCALAR_KIND_CHANGED:
    'the field type changed to one with another wire encoding (compatible groups: int32/int64/uint32/uint64/bool/enum, sint32/sint64, string/bytes, fixed32/sfixed32, fixed64/sfixed64)',
  FIELD_NAMED_TYPE_CHANGED: 'the field now refers to another message type',
  FIELD_NUMERIC_LABEL_CHANGED: 'a numeric field changed between singular, repeated and required',
  REQUIRED_FIELD_ADDED: 'a required field was added, and old data lacks it',
  REQUIRED_FIELD_REMOVED: 'a required field was removed, and old readers demand it',
  ONEOF_FIELD_REMOVED: 'a member of a oneof was removed while the oneof stays',
  MULTIPLE_FIELDS_MOVED_TO_ONEOF:
    'several existing fields were moved into one oneof, so old data may set more than one',
  FIELD_MOVED_TO_EXISTING_ONEOF: 'an existing field was moved into a oneof with other existing fields',
  RESERVED_FIELD_NUMBER_REUSED:
    'a field was added under a number the old schema reserved; data written before the reservation may hold another type there',
  RESERVED_FIELD_NAME_REUSED:
    'a field was added under a name the old schema reserved; JSON-encoded data may hold another type under that name',
};

export function protobufReason(kind: string): string {
  return REASONS[kind] ?? kind.toLowerCase().replace(/_/g, ' ');
}
