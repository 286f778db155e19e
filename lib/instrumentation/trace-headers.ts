import * as opentracing from 'opentracing';
import { SpanContext } from '../span-context';
import type { Tracer } from '../tracer';

const PROBE = new SpanContext({ traceId: '0af7651916cd43dd8448eb211c80319c', spanId: 'b7ad6b7169203331', sampled: true });

/**
 * The (lower-case) header names the tracer writes to carry a span context, found by
 * injecting a probe context: `traceparent` (and `tracestate`), `b3`, `uber-trace-id`, ...
 * An outgoing request that already has one of them is propagated by someone else
 * (`tracedFetch`, `tracedRequest`, the caller's own code, a second subscriber): the
 * instrumentation leaves it alone rather than send two contexts.
 */
export function traceHeaderNames(tracer: Tracer): ReadonlySet<string> {
  const carrier: Record<string, string> = {};
  tracer.inject(PROBE, opentracing.FORMAT_HTTP_HEADERS, carrier);
  return new Set(Object.keys(carrier).map((name) => name.toLowerCase()));
}

/**
 * Whether undici's raw headers hold one of `names`: a list `[name, value, ...]`, or
 * (older undici) the header block as text.
 */
export function rawListHasHeader(raw: unknown, names: ReadonlySet<string>): boolean {
  if (typeof raw === 'string') {
    const block = `\r\n${raw.toLowerCase()}`;
    for (const name of names) if (block.includes(`\r\n${name}:`)) return true;
    return false;
  }
  if (!Array.isArray(raw)) return false;
  for (let i = 0; i < raw.length; i += 2) {
    const name = raw[i];
    if (typeof name === 'string' && names.has(name.toLowerCase())) return true;
  }
  return false;
}
