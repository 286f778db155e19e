import type { Recorder } from './recording/recorder';
import type { Sampler } from './sampling/sampler';
import type { ScopeManager } from './scope/scope-manager';
import type { Logger } from './util/fault-logger';
import type * as opentracing from 'opentracing';

/** The wire formats `inject`/`extract` speak for TEXT_MAP and HTTP_HEADERS carriers. */
export type PropagationName = 'tracecontext' | 'baggage' | 'b3' | 'b3multi' | 'jaeger';

export const PROPAGATION_NAMES: readonly PropagationName[] = ['tracecontext', 'baggage', 'b3', 'b3multi', 'jaeger'];

/** Everything a `Tracer` is built from. Only `serviceName` is required. */
export interface TracerOptions {
  /** the service every span of this tracer belongs to */
  serviceName: string;
  /** where finished, sampled spans go; default none (spans propagate, nothing is recorded) */
  recorder?: Recorder;
  /** default `new ParentBasedSampler(new ConstSampler(true))` */
  sampler?: Sampler;
  /** default `['tracecontext', 'baggage']` */
  propagation?: PropagationName[];
  /** default `new AsyncLocalScopeManager()` */
  scopeManager?: ScopeManager;
  /** process-wide tags, e.g. `{ 'service.version': '1.4.2' }` */
  tags?: Record<string, unknown>;
  /** receives internal faults, once per kind; default `console` */
  logger?: Logger;
}

/** `startSpan` options: OpenTracing's, plus opting out of the active span as parent. */
export interface StartSpanOptions extends opentracing.SpanOptions {
  /** start a root (or the `childOf`/`references` given) even when a span is active */
  ignoreActiveSpan?: boolean;
}

/** `startActiveSpan` options. */
export interface ActiveSpanOptions extends StartSpanOptions {
  /** finish the span when the callback returns or its promise settles; default true */
  finishOnClose?: boolean;
}

function optionError(name: string, expected: string, got: unknown): TypeError {
  let shown: string;
  try {
    shown = typeof got === 'string' ? JSON.stringify(got) : got === null ? 'null' : typeof got;
  } catch {
    shown = typeof got;
  }
  return new TypeError(`sextant: TracerOptions.${name} must be ${expected}, got ${shown}`);
}

function hasMethods(value: unknown, methods: string[]): boolean {
  if (value === null || (typeof value !== 'object' && typeof value !== 'function')) return false;
  const record = value as Record<string, unknown>;
  return methods.every((m) => typeof record[m] === 'function');
}

/** Throws at once, naming the option, for constructor options that cannot work. */
export function validateTracerOptions(options: unknown): asserts options is TracerOptions {
  if (options === null || typeof options !== 'object') throw optionError('(options)', 'an object', options);
  const o = options as Record<string, unknown>;
  if (typeof o.serviceName !== 'string' || o.serviceName.trim() === '') {
    throw optionError('serviceName', 'a non-empty string', o.serviceName);
  }
  if (o.recorder !== undefined && !hasMethods(o.recorder, ['record', 'flush', 'close'])) {
    throw optionError('recorder', 'a Recorder (record, flush, close)', o.recorder);
  }
  if (o.sampler !== undefined && !hasMethods(o.sampler, ['shouldSample'])) {
    throw optionError('sampler', 'a Sampler (shouldSample)', o.sampler);
  }
  if (o.scopeManager !== undefined && !hasMethods(o.scopeManager, ['active', 'activate', 'bind'])) {
    throw optionError('scopeManager', 'a ScopeManager (active, activate, bind)', o.scopeManager);
  }
  if (o.logger !== undefined && !hasMethods(o.logger, ['warn'])) {
    throw optionError('logger', 'an object with a warn(message) method', o.logger);
  }
  if (o.tags !== undefined && (o.tags === null || typeof o.tags !== 'object' || Array.isArray(o.tags))) {
    throw optionError('tags', 'an object of tag names to values', o.tags);
  }
  if (o.propagation !== undefined) {
    if (!Array.isArray(o.propagation)) throw optionError('propagation', 'an array of propagation names', o.propagation);
    for (const name of o.propagation) {
      if (!PROPAGATION_NAMES.includes(name as PropagationName)) {
        throw optionError('propagation', `a list of ${PROPAGATION_NAMES.join(', ')}`, name);
      }
    }
  }
}
