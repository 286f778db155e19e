import type { FinishedSpan, InstrumentationScope } from '../recording/finished-span';
import { GroupedSpanBody } from './grouped-span-body';
import type { SpanGroup } from './grouped-span-body';
import { F } from './otlp-fields';
import { writeOtlpResource, writeOtlpSpan } from './otlp-mapping';
import type { OtlpMappingOptions } from './otlp-mapping';
import { ProtobufOtlpWriter } from './protobuf-otlp-writer';
import { varintSize } from './protobuf-writer';

/**
 * The `scope` field of a ScopeSpans, framed: InstrumentationScope { name, version? }.
 *
 *     encodeProtobufScope({ name: 'sextant' });
 */
export function encodeProtobufScope(scope: InstrumentationScope): Buffer {
  const w = new ProtobufOtlpWriter();
  w.openMessage(F.SCOPE_SPANS_SCOPE);
  w.string(F.SCOPE_NAME, scope.name);
  if (scope.version !== undefined && scope.version !== '') w.string(F.SCOPE_VERSION, scope.version);
  w.close();
  return w.bytesFrom(0, w.pos);
}

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
  return framed(group.resource.length) + framed(group.scope.length + group.spanBytes);
}

/**
 * An OTLP/HTTP protobuf body (ExportTraceServiceRequest) built span by span: each span
 * is written already framed as a ScopeSpans `spans` item, and the body is one
 * ResourceSpans per resource and scope, each with one ScopeSpans.
 *
 *     const body = new OtlpProtobufBody((span) => resourceBytes, (span) => scopeBytes, { maxSpanBytes: 4 << 20 });
 *     body.add(span);
 *     const bytes = body.take();
 */
export class OtlpProtobufBody extends GroupedSpanBody<ProtobufOtlpWriter> {
  readonly contentType = 'application/x-protobuf';

  constructor(
    resourceFor: (span: FinishedSpan) => Uint8Array,
    scopeFor: (span: FinishedSpan) => Uint8Array,
    private readonly options: OtlpMappingOptions & { maxSpanBytes: number },
  ) {
    super(new ProtobufOtlpWriter(), resourceFor, scopeFor, options.maxSpanBytes);
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

  protected headRoom(resource: Uint8Array, scope: Uint8Array): number {
    // Three tags, three lengths of at most 5 bytes each, the resource and the scope.
    return 18 + resource.length + scope.length;
  }

  protected wrapOneGroup(group: SpanGroup, framesStart: number): { start: number; end: number } {
    const scopeSpansLength = group.scope.length + group.spanBytes;
    const head =
      3 +
      varintSize(resourceSpansLength(group)) +
      varintSize(group.resource.length) +
      group.resource.length +
      varintSize(scopeSpansLength) +
      group.scope.length;
    const out = this.w.buf;
    const start = framesStart - head;
    let at = writeFrame(out, start, F.REQUEST_RESOURCE_SPANS.tag, resourceSpansLength(group));
    at = writeFrame(out, at, F.RESOURCE_SPANS_RESOURCE.tag, group.resource.length);
    out.set(group.resource, at);
    at += group.resource.length;
    at = writeFrame(out, at, F.RESOURCE_SPANS_SCOPE_SPANS.tag, scopeSpansLength);
    out.set(group.scope, at);
    return { start, end: this.w.pos };
  }

  protected writeBody(out: Buffer, writeFrames: (out: Buffer, at: number, index: number) => number): number {
    let at = 0;
    this.groups.forEach((group, index) => {
      at = writeFrame(out, at, F.REQUEST_RESOURCE_SPANS.tag, resourceSpansLength(group));
      at = writeFrame(out, at, F.RESOURCE_SPANS_RESOURCE.tag, group.resource.length);
      out.set(group.resource, at);
      at += group.resource.length;
      at = writeFrame(out, at, F.RESOURCE_SPANS_SCOPE_SPANS.tag, group.scope.length + group.spanBytes);
      out.set(group.scope, at);
      at += group.scope.length;
      at = writeFrames(out, at, index);
    });
    return at;
  }
}
