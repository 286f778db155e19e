import * as opentracing from 'opentracing';
import type { SpanReference } from './recording/finished-span';
import { Span } from './span';
import { SpanContext } from './span-context';
import { isValidSpanId, isValidTraceId } from './util/ids';

/** A reference turned into ours: what to record, and the context it points to. */
export interface ResolvedReference {
  reference: SpanReference;
  context: SpanContext;
}

/**
 * Any Span or SpanContext, ours or another tracer's (anything with `toTraceId()` and
 * `toSpanId()`, or a span whose `context()` has them), as one of our contexts; null when
 * it is unusable. A foreign context counts as remote and sampled; a 64-bit trace id is
 * left-padded to 128 bits. Never throws.
 *
 *     toSpanContext(jaegerSpan.context()); // SpanContext { remote: true, ... } or null
 */
export function toSpanContext(value: unknown): SpanContext | null {
  try {
    // instanceof runs a Proxy's getPrototypeOf trap, which may throw: inside the try too.
    if (value instanceof SpanContext) return value;
    if (value instanceof Span) return value.context();
    const candidate = value as { context?: () => unknown; toTraceId?: () => unknown; toSpanId?: () => unknown };
    const ctx = (typeof candidate?.context === 'function' ? candidate.context() : candidate) as typeof candidate;
    if (ctx instanceof SpanContext) return ctx;
    if (typeof ctx?.toTraceId !== 'function' || typeof ctx.toSpanId !== 'function') return null;
    let traceId = String(ctx.toTraceId()).toLowerCase();
    const spanId = String(ctx.toSpanId()).toLowerCase();
    if (traceId.length === 16) traceId = traceId.padStart(32, '0');
    if (!isValidTraceId(traceId) || !isValidSpanId(spanId)) return null;
    return new SpanContext({ traceId, spanId, sampled: true, remote: true });
  } catch {
    return null;
  }
}

/** What `resolveReferences` made of a `references` option. */
export interface ResolvedReferences {
  /** the usable entries among the first `maxReferences`, in order */
  resolved: ResolvedReference[];
  /** entries past the first `maxReferences`, not looked at */
  dropped: number;
}

/**
 * The usable entries among the first `maxReferences` of a `references` option, in
 * order; the entries after them are counted, never visited (so a sparse
 * `new Array(2 ** 32 - 1)` costs nothing). Duck-typed: a Reference from another copy of
 * the opentracing package is just as good. Never throws.
 *
 *     resolveReferences([opentracing.followsFrom(batchSpan.context())], 128);
 */
export function resolveReferences(references: readonly unknown[], maxReferences: number): ResolvedReferences {
  const resolved: ResolvedReference[] = [];
  let length = 0;
  try {
    length = references.length;
  } catch {
    length = 0;
  }
  if (!Number.isSafeInteger(length) || length < 0) length = 0;
  const examined = Math.min(length, maxReferences);
  for (let i = 0; i < examined; i++) {
    let ref: unknown;
    try {
      ref = references[i];
    } catch {
      continue;
    }
    const entry = resolveReference(ref);
    if (entry !== null) resolved.push(entry);
  }
  return { resolved, dropped: length - examined };
}

function resolveReference(ref: unknown): ResolvedReference | null {
  try {
    const candidate = ref as { type?: unknown; referencedContext?: unknown } | null;
    if (typeof candidate?.type !== 'function' || typeof candidate.referencedContext !== 'function') return null;
    const reference = candidate as opentracing.Reference;
    const context = toSpanContext(reference.referencedContext());
    if (context === null) return null;
    const type = reference.type() === opentracing.REFERENCE_FOLLOWS_FROM ? 'follows_from' : 'child_of';
    return { reference: { type, traceId: context.traceId, spanId: context.spanId }, context };
  } catch {
    return null;
  }
}
