import type { FinishedSpan, InstrumentationScope } from '../recording/finished-span';
import { OTLP_SCOPE_NAME } from './otlp-mapping';

/** The scope of spans that name none: every span sextant's OpenTracing API starts. */
const SEXTANT_SCOPE: InstrumentationScope = Object.freeze({ name: OTLP_SCOPE_NAME });

/**
 * A span's OTLP instrumentation scope, encoded once per scope object: `span.scope` (spans
 * started through `@opentelemetry/api`: one frozen object per OpenTelemetry tracer), else
 * sextant's own. A scope that cannot be read throws, and its span is dropped alone.
 *
 *     const scopeFor = scopeEncoder(encodeProtobufScope);
 *     scopeFor(span); // the framed InstrumentationScope
 */
export function scopeEncoder(encode: (scope: InstrumentationScope) => Buffer): (span: FinishedSpan) => Uint8Array {
  const sextant = encode(SEXTANT_SCOPE);
  // Keyed by identity: scope objects are few (one per OpenTelemetry tracer) and long-lived.
  const encoded = new WeakMap<object, Uint8Array>();
  return (span) => {
    const scope: unknown = span.scope;
    if (scope === undefined || scope === null || typeof scope !== 'object') return sextant;
    let bytes = encoded.get(scope);
    if (bytes === undefined) {
      const { name, version } = scope as InstrumentationScope;
      bytes = encode({ name: String(name), version: version === undefined || version === null ? undefined : String(version) });
      encoded.set(scope, bytes);
    }
    return bytes;
  };
}
