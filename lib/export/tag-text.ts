import { describeError } from '../util/describe';
import { MAX_ARRAY_VALUES, SpanTooLargeError } from './encoding-bounds';

/*
 * Tag and log values as text, for formats whose values are strings (Zipkin) and for
 * values no format can type (deep structures). The text is bounded: at most `maxChars`
 * characters (past that the span is too large: SpanTooLargeError), arrays cut at
 * MAX_ARRAY_VALUES items, nesting at MAX_TEXT_DEPTH, cycles shown as "[Circular]", and
 * byte arrays as base64 (never walked item by item). A getter, toJSON or Proxy trap that
 * throws makes the whole call throw: the exporter drops that span alone.
 */

/** Nesting deeper than this is shown as "[Object]" or "[Array]". */
const MAX_TEXT_DEPTH = 16;

/** How a function tag looks as text: its name, never its source. */
export function functionText(fn: { name?: unknown }): string {
  const name = typeof fn.name === 'string' && fn.name !== '' ? fn.name : 'anonymous';
  return `[function ${name}]`;
}

/** Bytes as base64, checked against the budget before anything is allocated. */
function bytesText(view: ArrayBufferView, maxChars: number): string {
  if (Math.ceil(view.byteLength / 3) * 4 > maxChars) throw new SpanTooLargeError();
  return Buffer.from(view.buffer, view.byteOffset, view.byteLength).toString('base64');
}

class TextBuilder {
  private text = '';
  private readonly ancestors: object[] = [];

  constructor(private readonly maxChars: number) {}

  build(value: unknown): string {
    this.write(value, 0);
    return this.text;
  }

  private append(part: string): void {
    if (this.text.length + part.length > this.maxChars) throw new SpanTooLargeError();
    this.text += part;
  }

  private string(value: string): void {
    // Escaping can at most grow a string sixfold; check the cheap bound first.
    if (this.text.length + value.length > this.maxChars) throw new SpanTooLargeError();
    this.append(JSON.stringify(value));
  }

  /** Writes `value`; returns false (writing nothing) for what JSON leaves out of objects. */
  private write(value: unknown, depth: number): boolean {
    switch (typeof value) {
      case 'string':
        this.string(value);
        return true;
      case 'number':
        this.append(Number.isFinite(value) ? String(value) : 'null');
        return true;
      case 'boolean':
        this.append(value ? 'true' : 'false');
        return true;
      case 'bigint':
        this.string(value.toString());
        return true;
      case 'symbol':
        this.string(value.toString());
        return true;
      case 'function':
        this.string(functionText(value));
        return true;
      case 'undefined':
        return false;
    }
    if (value === null) {
      this.append('null');
      return true;
    }
    const object = value as object;
    if (object instanceof Error) {
      this.string(describeError(object));
      return true;
    }
    if (ArrayBuffer.isView(object)) {
      this.string(bytesText(object, this.maxChars - this.text.length));
      return true;
    }
    const toJSON = (object as { toJSON?: unknown }).toJSON;
    if (typeof toJSON === 'function') {
      const replaced: unknown = toJSON.call(object, '');
      if (replaced !== object && (replaced === null || typeof replaced !== 'object' || !this.ancestors.includes(replaced))) {
        return this.write(replaced, depth);
      }
    }
    if (this.ancestors.includes(object)) {
      this.string('[Circular]');
      return true;
    }
    const isArray = Array.isArray(object);
    if (depth >= MAX_TEXT_DEPTH) {
      this.string(isArray ? '[Array]' : '[Object]');
      return true;
    }
    this.ancestors.push(object);
    if (isArray) this.array(object as unknown[], depth);
    else this.object(object as Record<string, unknown>, depth);
    this.ancestors.pop();
    return true;
  }

  private array(items: unknown[], depth: number): void {
    this.append('[');
    const n = Math.min(items.length, MAX_ARRAY_VALUES);
    for (let i = 0; i < n; i++) {
      if (i > 0) this.append(',');
      if (!this.write(items[i], depth + 1)) this.append('null');
    }
    this.append(']');
  }

  private object(record: Record<string, unknown>, depth: number): void {
    this.append('{');
    let first = true;
    for (const key of Object.keys(record)) {
      const mark = this.text.length;
      this.append(`${first ? '' : ','}${JSON.stringify(key)}:`);
      if (this.write(record[key], depth + 1)) first = false;
      else this.text = this.text.slice(0, mark);
    }
    this.append('}');
  }
}

/**
 * JSON text of any value, at most `maxChars` long (else SpanTooLargeError), with the
 * bounds above. Throws whatever a hostile value throws.
 *
 *     boundedJsonText({ a: [1, 2n] }, 1000); // '{"a":[1,"2"]}'
 */
export function boundedJsonText(value: unknown, maxChars: number): string {
  const text = new TextBuilder(maxChars).build(value);
  return text === '' ? 'null' : text;
}

/**
 * A tag value as a string: strings as they are, numbers, booleans and bigints by
 * `String`, errors as `Name: message`, dates as ISO 8601, functions by name, anything
 * else as bounded JSON text. Undefined for null and undefined (the tag is left out).
 * At most `maxChars` characters, else SpanTooLargeError.
 *
 *     tagText(new TypeError('bad'), 1000); // 'TypeError: bad'
 */
export function tagText(value: unknown, maxChars: number): string | undefined {
  switch (typeof value) {
    case 'string':
      if (value.length > maxChars) throw new SpanTooLargeError();
      return value;
    case 'number':
    case 'boolean':
    case 'bigint':
      return String(value);
    case 'undefined':
      return undefined;
    case 'symbol':
      return value.toString();
    case 'function':
      return functionText(value);
    default:
      if (value === null) return undefined;
      if (value instanceof Error) return describeError(value);
      if (value instanceof Date) return Number.isNaN(value.getTime()) ? 'Invalid Date' : value.toISOString();
      return boundedJsonText(value, maxChars);
  }
}
