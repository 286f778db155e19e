import type { FinishedSpan } from '../recording/finished-span';
import { GroupedSpanBody } from './grouped-span-body';
import type { SpanGroup } from './grouped-span-body';
import { F } from './otlp-fields';
import { OTLP_SCOPE_NAME, writeOtlpResource, writeOtlpSpan } from './otlp-mapping';
import type { OtlpMappingOptions } from './otlp-mapping';
import { ProtobufOtlpWriter } from './protobuf-otlp-writer';
import { varintSize } from './protobuf-writer';

/** The `scope` field of every ScopeSpans, already framed: InstrumentationScope { name: "sextant" }. */
const SCOPE_FIELD: Buffer = (() => {
  const w = new ProtobufOtlpWriter();
  w.openMessage(F.SCOPE_SPANS_SCOPE);
  w.string(F.SCOPE_NAME, OTLP_SCOPE_NAME);
  w.close();
  return w.bytesFrom(0, w.pos);
})();

/**
 * A Resource message (its content, unframed) for a service and its process tags, at
 * most `maxBytes` long (else SpanTooLargeError).
 */
export function encodeProtobufResource(serviceName: string, tags: Readonly<Record<string, unknown>> | undefined, maxBytes: number): Buffer {
  const w = new ProtobufOtlpWriter();
  w.setLimit(maxBytes);
  writeOtlpResource(w, serviceName, tags);
  return w.bytesFrom(0, w.pos);
}

/** Bytes of a length-delimited field with a one-byte tag around `length` bytes of content. */
function framed(length: number): number {
  return 1 + varintSize(length) + length;
}

function writeFrame(out: Buffer, at: number, tag: number, length: number): number {
  out[at++] = tag;
  while (length >= 0x80) {
    out[at++] = (length & 0x7f) | 0x80;
    length >>>= 7;
  }
  out[at++] = length;
  return at;
}

function resourceSpansLength(group: SpanGroup): number {
  return framed(group.resource.length) + framed(SCOPE_FIELD.length + group.spanBytes);
}

/**
 * An OTLP/HTTP protobuf body (ExportTraceServiceRequest) built span by span: each span
 * is written already framed as a ScopeSpans `spans` item, and the body is one
 * ResourceSpans per resource, each with one ScopeSpans (scope "sextant").
 *
 *     const body = new OtlpProtobufBody((span) => resourceBytes, { maxSpanBytes: 4 << 20 });
 *     body.add(span);
 *     const bytes = body.take();
 */
export class OtlpProtobufBody extends GroupedSpanBody<ProtobufOtlpWriter> {
  readonly contentType = 'application/x-protobuf';

  constructor(
    resourceFor: (span: FinishedSpan) => Uint8Array,
    private readonly options: OtlpMappingOptions & { maxSpanBytes: number },
  ) {
    super(new ProtobufOtlpWriter(), resourceFor, options.maxSpanBytes);
  }

  protected writeFrame(span: FinishedSpan): void {
    const w = this.w;
    w.tag(F.SCOPE_SPANS_SPANS.tag);
    // Spans are nearly always 128 bytes to 16 KiB long: a two-byte length.
    w.openLength(2);
    writeOtlpSpan(w, span, this.options);
    w.closeLength();
  }

  protected bodySize(groups: readonly SpanGroup[]): number {
    let total = 0;
    for (const group of groups) total += framed(resourceSpansLength(group));
    return total;
  }

  protected headRoom(resource: Uint8Array): number {
    // Three tags, three lengths of at most 5 bytes each, the resource and the scope.
    return 18 + resource.length + SCOPE_FIELD.length;
  }

  protected wrapOneGroup(group: SpanGroup, framesStart: number): { start: number; end: number } {
    const scopeSpansLength = SCOPE_FIELD.length + group.spanBytes;
    const head =
      3 +
      varintSize(resourceSpansLength(group)) +
      varintSize(group.resource.length) +
      group.resource.length +
      varintSize(scopeSpansLength) +
      SCOPE_FIELD.length;
    const out = this.w.buf;
    const start = framesStart - head;
    let at = writeFrame(out, start, F.REQUEST_RESOURCE_SPANS.tag, resourceSpansLength(group));
    at = writeFrame(out, at, F.RESOURCE_SPANS_RESOURCE.tag, group.resource.length);
    out.set(group.resource, at);
    at += group.resource.length;
    at = writeFrame(out, at, F.RESOURCE_SPANS_SCOPE_SPANS.tag, scopeSpansLength);
    SCOPE_FIELD.copy(out, at);
    return { start, end: this.w.pos };
  }

  protected writeBody(out: Buffer, writeFrames: (out: Buffer, at: number, index: number) => number): number {
    let at = 0;
    this.groups.forEach((group, index) => {
      at = writeFrame(out, at, F.REQUEST_RESOURCE_SPANS.tag, resourceSpansLength(group));
      at = writeFrame(out, at, F.RESOURCE_SPANS_RESOURCE.tag, group.resource.length);
      out.set(group.resource, at);
      at += group.resource.length;
      at = writeFrame(out, at, F.RESOURCE_SPANS_SCOPE_SPANS.tag, SCOPE_FIELD.length + group.spanBytes);
      at += SCOPE_FIELD.copy(out, at);
      at = writeFrames(out, at, index);
    });
    return at;
  }
}
