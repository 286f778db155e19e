import type { FinishedSpan, InstrumentationScope } from '../recording/finished-span';
import { GroupedSpanBody } from './grouped-span-body';
import type { SpanGroup } from './grouped-span-body';
import { JsonOtlpWriter } from './json-otlp-writer';
import { writeOtlpResource, writeOtlpSpan } from './otlp-mapping';
import type { OtlpMappingOptions } from './otlp-mapping';

const REQUEST_START = Buffer.from('{"resourceSpans":[');
const REQUEST_END = Buffer.from(']}');
const GROUP_START = Buffer.from('{"resource":');
const GROUP_END = Buffer.from(']}]}');
const COMMA = 0x2c;

/** The JSON of a Resource message for a service and its process tags, at most `maxBytes` long. */
export function encodeJsonResource(serviceName: string, tags: Readonly<Record<string, unknown>> | undefined, maxBytes: number): Buffer {
  const w = new JsonOtlpWriter();
  w.setLimit(maxBytes);
  w.begin();
  writeOtlpResource(w, serviceName, tags);
  w.end();
  return w.bytesFrom(0, w.pos);
}

/**
 * What stands between a ResourceSpans' resource and its spans, for one scope:
 * `,"scopeSpans":[{"scope":{"name":…,"version":…},"spans":[`.
 *
 *     encodeJsonScope({ name: 'sextant' });
 */
export function encodeJsonScope(scope: InstrumentationScope): Buffer {
  const fields = scope.version !== undefined && scope.version !== '' ? { name: scope.name, version: scope.version } : { name: scope.name };
  return Buffer.from(`,"scopeSpans":[{"scope":${JSON.stringify(fields)},"spans":[`);
}

/**
 * An OTLP/HTTP JSON body (ExportTraceServiceRequest, proto3 JSON) built span by span:
 * each span's object is written followed by a comma, and the body is one ResourceSpans
 * per resource and scope, each with one ScopeSpans.
 *
 *     const body = new OtlpJsonBody((span) => resourceJson, (span) => scopeJson, { maxSpanBytes: 4 << 20 });
 *     body.add(span);
 *     const bytes = body.take();
 */
export class OtlpJsonBody extends GroupedSpanBody<JsonOtlpWriter> {
  readonly contentType = 'application/json';

  constructor(
    resourceFor: (span: FinishedSpan) => Uint8Array,
    scopeFor: (span: FinishedSpan) => Uint8Array,
    private readonly options: OtlpMappingOptions & { maxSpanBytes: number },
  ) {
    super(new JsonOtlpWriter(), resourceFor, scopeFor, options.maxSpanBytes);
  }

  protected writeFrame(span: FinishedSpan): void {
    const w = this.w;
    w.begin();
    writeOtlpSpan(w, span, this.options);
    w.end();
    w.ensure(1);
    w.buf[w.pos++] = COMMA;
  }

  protected bodySize(groups: readonly SpanGroup[]): number {
    let total = REQUEST_START.length + REQUEST_END.length + groups.length - 1;
    // Each group's frames end with a comma that the group's closing bracket replaces.
    for (const group of groups)
      total += GROUP_START.length + group.resource.length + group.scope.length + group.spanBytes - 1 + GROUP_END.length;
    return total;
  }

  protected headRoom(resource: Uint8Array, scope: Uint8Array): number {
    return REQUEST_START.length + GROUP_START.length + resource.length + scope.length;
  }

  protected wrapOneGroup(group: SpanGroup, framesStart: number): { start: number; end: number } {
    const w = this.w;
    const start = framesStart - this.headRoom(group.resource, group.scope);
    let at = start + REQUEST_START.copy(w.buf, start);
    at += GROUP_START.copy(w.buf, at);
    w.buf.set(group.resource, at);
    at += group.resource.length;
    w.buf.set(group.scope, at);
    // The last frame's comma gives way to the tail.
    w.pos -= 1;
    w.setLimit(Infinity);
    w.ensure(GROUP_END.length + REQUEST_END.length);
    w.pos += GROUP_END.copy(w.buf, w.pos);
    w.pos += REQUEST_END.copy(w.buf, w.pos);
    return { start, end: w.pos };
  }

  protected writeBody(out: Buffer, writeFrames: (out: Buffer, at: number, index: number) => number): number {
    let at = REQUEST_START.copy(out, 0);
    this.groups.forEach((group, index) => {
      if (index > 0) out[at++] = COMMA;
      at += GROUP_START.copy(out, at);
      out.set(group.resource, at);
      at += group.resource.length;
      out.set(group.scope, at);
      at += group.scope.length;
      at = writeFrames(out, at, index) - 1;
      at += GROUP_END.copy(out, at);
    });
    at += REQUEST_END.copy(out, at);
    return at;
  }
}
