import { PROPAGATION_NAMES } from './propagation/propagation-name';
import type { PropagationName } from './propagation/propagation-name';
import type { Recorder } from './recording/recorder';
import type { Sampler } from './sampling/sampler';
import type { ScopeManager } from './scope/scope-manager';
import type { Logger } from './util/fault-logger';
import { hasMethods, optionError } from './util/option-error';
import type * as opentracing from 'opentracing';

export type { PropagationName } from './propagation/propagation-name';

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

/** Throws at once, naming the option, for constructor options that cannot work. */
export function validateTracerOptions(options: unknown): asserts options is TracerOptions {
  if (options === null || typeof options !== 'object') throw optionError('TracerOptions', 'an object', options);
  const o = options as Record<string, unknown>;
  if (typeof o.serviceName !== 'string' || o.serviceName.trim() === '') {
    throw optionError('TracerOptions.serviceName', 'a non-empty string', o.serviceName);
  }
  if (o.recorder !== undefined && !hasMethods(o.recorder, ['record', 'flush', 'close'])) {
    throw optionError('TracerOptions.recorder', 'a Recorder (record, flush, close)', o.recorder);
  }
  if (o.sampler !== undefined && !hasMethods(o.sampler, ['shouldSample'])) {
    throw optionError('TracerOptions.sampler', 'a Sampler (shouldSample)', o.sampler);
  }
  if (o.scopeManager !== undefined && !hasMethods(o.scopeManager, ['active', 'activate', 'bind'])) {
    throw optionError('TracerOptions.scopeManager', 'a ScopeManager (active, activate, bind)', o.scopeManager);
  }
  if (o.logger !== undefined && !hasMethods(o.logger, ['warn'])) {
    throw optionError('TracerOptions.logger', 'an object with a warn(message) method', o.logger);
  }
  if (o.tags !== undefined && (o.tags === null || typeof o.tags !== 'object' || Array.isArray(o.tags))) {
    throw optionError('TracerOptions.tags', 'an object of tag names to values', o.tags);
  }
  if (o.propagation !== undefined) {
    if (!Array.isArray(o.propagation)) throw optionError('TracerOptions.propagation', 'an array of propagation names', o.propagation);
    for (const name of o.propagation) {
      if (!PROPAGATION_NAMES.includes(name as PropagationName)) {
        throw optionError('TracerOptions.propagation', `a list of ${PROPAGATION_NAMES.join(', ')}`, name);
      }
    }
  }
}
