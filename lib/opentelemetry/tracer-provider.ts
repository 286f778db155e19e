import type * as api from '@opentelemetry/api';
import type { InstrumentationScope } from '../recording/finished-span';
import { SextantOtelTracer } from './otel-tracer';
import type { BridgeState } from './otel-tracer';

/** Bounds on what a TracerProvider keeps. */
export const TRACER_PROVIDER_DEFAULTS = Object.freeze({
  /** tracers kept for reuse, one per (name, version); past this, `getTracer` makes a fresh one each call */
  maxCachedTracers: 1024,
});

/**
 * `@opentelemetry/api`'s TracerProvider for one sextant tracer: `getTracer(name, version)`
 * gives a tracer whose spans carry that instrumentation scope. The same (name, version)
 * gives the same tracer.
 *
 *     api.trace.setGlobalTracerProvider(new SextantTracerProvider(state));
 */
export class SextantTracerProvider implements api.TracerProvider {
  private readonly tracers = new Map<string, SextantOtelTracer>();

  constructor(private readonly state: BridgeState) {}

  getTracer(name: string, version?: string, _options?: api.TracerOptions): api.Tracer {
    const scope = scopeOf(name, version);
    const key = `${scope.name}\u0000${scope.version ?? ''}`;
    let tracer = this.tracers.get(key);
    if (tracer === undefined) {
      tracer = new SextantOtelTracer(this.state, this.state.internals.ownerFor(scope));
      if (this.tracers.size < TRACER_PROVIDER_DEFAULTS.maxCachedTracers) this.tracers.set(key, tracer);
    }
    return tracer;
  }
}

/** The instrumentation scope a `getTracer` call names; one frozen object, shared by its spans' records. */
function scopeOf(name: unknown, version: unknown): InstrumentationScope {
  const scopeName = typeof name === 'string' ? name : textOf(name);
  return Object.freeze(typeof version === 'string' && version.length > 0 ? { name: scopeName, version } : { name: scopeName });
}

function textOf(value: unknown): string {
  if (value === undefined || value === null) return '';
  try {
    return String(value);
  } catch {
    return 'unknown';
  }
}
