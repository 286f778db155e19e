/** What an OTLP backend that accepted a request says it dropped all the same. */
export interface PartialSuccess {
  rejectedSpans: number;
  errorMessage: string;
}

/** Reads a protobuf varint at `at`; returns [value, next position], or null past the end. */
function readVarint(bytes: Uint8Array, at: number): [number, number] | null {
  let value = 0;
  let scale = 1;
  for (let i = 0; i < 10; i++) {
    if (at >= bytes.length) return null;
    const byte = bytes[at++];
    value += (byte & 0x7f) * scale;
    if (byte < 0x80) return [value, at];
    scale *= 128;
  }
  return null;
}

/** The fields of a protobuf message as [field number, wire type, value or bytes]; null if malformed. */
function readFields(bytes: Uint8Array): [number, number, number | Uint8Array][] | null {
  const fields: [number, number, number | Uint8Array][] = [];
  let at = 0;
  while (at < bytes.length) {
    const key = readVarint(bytes, at);
    if (key === null) return null;
    at = key[1];
    const fieldNumber = Math.floor(key[0] / 8);
    const wireType = key[0] % 8;
    if (wireType === 0) {
      const value = readVarint(bytes, at);
      if (value === null) return null;
      fields.push([fieldNumber, wireType, value[0]]);
      at = value[1];
    } else if (wireType === 2) {
      const length = readVarint(bytes, at);
      if (length === null || length[1] + length[0] > bytes.length) return null;
      fields.push([fieldNumber, wireType, bytes.subarray(length[1], length[1] + length[0])]);
      at = length[1] + length[0];
    } else if (wireType === 1 || wireType === 5) {
      at += wireType === 1 ? 8 : 4;
    } else {
      return null;
    }
  }
  return fields;
}

function fromProtobuf(body: Uint8Array): PartialSuccess | undefined {
  const response = readFields(body);
  const partial = response?.find(([n, wire]) => n === 1 && wire === 2)?.[2];
  if (!(partial instanceof Uint8Array)) return undefined;
  const fields = readFields(partial) ?? [];
  let rejectedSpans = 0;
  let errorMessage = '';
  for (const [n, wire, value] of fields) {
    if (n === 1 && wire === 0 && typeof value === 'number') rejectedSpans = value;
    if (n === 2 && wire === 2 && value instanceof Uint8Array) errorMessage = Buffer.from(value).toString('utf8');
  }
  return { rejectedSpans, errorMessage };
}

function fromJson(text: string): PartialSuccess | undefined {
  const response = JSON.parse(text) as { partialSuccess?: { rejectedSpans?: unknown; errorMessage?: unknown } } | null;
  const partial = response?.partialSuccess;
  if (partial === undefined || partial === null) return undefined;
  return {
    rejectedSpans: Number(partial.rejectedSpans ?? 0) || 0,
    errorMessage: typeof partial.errorMessage === 'string' ? partial.errorMessage : '',
  };
}

/**
 * The `partialSuccess` of an ExportTraceServiceResponse, protobuf or JSON (by its
 * Content-Type), when it reports something; undefined otherwise, or when the body
 * cannot be read. Never throws.
 *
 *     readPartialSuccess(Buffer.from('{"partialSuccess":{"rejectedSpans":"2"}}'), 'application/json');
 *     // { rejectedSpans: 2, errorMessage: '' }
 */
export function readPartialSuccess(body: Buffer | undefined, contentType: string | undefined): PartialSuccess | undefined {
  if (body === undefined || body.length === 0) return undefined;
  try {
    const type = contentType ?? '';
    const partial = type.includes('json') ? fromJson(body.toString('utf8')) : type.includes('protobuf') ? fromProtobuf(body) : undefined;
    if (partial === undefined || (partial.rejectedSpans <= 0 && partial.errorMessage === '')) return undefined;
    return partial;
  } catch {
    // Not what it says it is: nothing to learn from it.
    return undefined;
  }
}
