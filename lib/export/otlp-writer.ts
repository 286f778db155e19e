import type { OtlpField } from './otlp-fields';

/**
 * What the OTLP mapping (otlp-mapping.ts) says about a span, field by field, and each
 * wire format spells: `ProtobufOtlpWriter` as protobuf bytes, `JsonOtlpWriter` as
 * proto3-JSON text. Calls come in field order; every message or list opened is closed.
 *
 * Writers enforce a byte budget for the span under way: any call that would pass it
 * throws SpanTooLargeError, before allocating what the value would need.
 */
export interface OtlpWriter {
  /** an embedded message: JSON `"field":{`, protobuf tag + length */
  openMessage(field: OtlpField): void;
  /** a repeated field: JSON `"field":[`, nothing in protobuf */
  openList(field: OtlpField): void;
  /** a message item of the open list (`field` is the list's) */
  openItem(field: OtlpField): void;
  /** closes the innermost message or item */
  close(): void;
  /**
   * a KeyValue item of the open list `listField` up to its value: the item, its `key`,
   * and the open `value` AnyValue message (the commonest message, so writers may fuse it)
   */
  openKeyValue(listField: OtlpField, key: string): void;
  /** closes the value and the KeyValue `openKeyValue` opened */
  closeKeyValue(): void;
  /**
   * a whole KeyValue item whose value is a string, a safe integer, a bool or a double:
   * the same as `openKeyValue`, the value's field, `closeKeyValue`, in one call
   */
  keyString(listField: OtlpField, key: string, value: string): void;
  keyInt(listField: OtlpField, key: string, value: number): void;
  keyBool(listField: OtlpField, key: string, value: boolean): void;
  keyDouble(listField: OtlpField, key: string, value: number): void;
  /** closes the open list */
  closeList(): void;

  /** a plain string field */
  string(field: OtlpField, value: string): void;
  /** a trace or span id: lowercase hex text in JSON, its bytes in protobuf; else InvalidSpanError */
  id(field: OtlpField, hex: string, bytes: 8 | 16): void;
  /** a uint32 count or an enum; protobuf leaves 0 out (the proto3 default) */
  uint32(field: OtlpField, value: number): void;
  /** a fixed32 (span flags) */
  fixed32(field: OtlpField, value: number): void;
  /** a fixed64 time in integer nanoseconds since the epoch, given as whole ms and the nanoseconds beyond */
  time(field: OtlpField, wholeMillis: number, nanos: number): void;

  /** AnyValue members: written even when they are the default (a oneof has presence) */
  bool(field: OtlpField, value: boolean): void;
  /** a safe integer, or a bigint within int64 */
  int(field: OtlpField, value: number | bigint): void;
  double(field: OtlpField, value: number): void;
  bytes(field: OtlpField, value: Uint8Array): void;

  /** how many more bytes (at least) the span under way may take */
  remaining(): number;
}
