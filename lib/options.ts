import { PROPAGATION_NAMES } from './propagation/propagation-name';
import type { PropagationName } from './propagation/propagation-name';
import type { Recorder } from './recording/recorder';
import type { Sampler } from './sampling/sampler';
import type { ScopeManager } from './scope/scope-manager';
import { resolveSpanLimits } from './span-limits';
import type { SpanLimits } from './span-limits';
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
  /** per-span bounds; default `SPAN_LIMITS_DEFAULTS` (128 tags, logs, references and log fields) */
  limits?: SpanLimits;
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
  readTracerOptions(options);
}

/**
 * The options as a plain object read once (so getters run once), checked: throws a
 * TypeError naming the option for one that cannot work, also when reading it throws.
 *
 *     const checked = readTracerOptions({ serviceName: 'api' });
 */
export function readTracerOptions(options: unknown): TracerOptions {
  if (options === null || typeof options !== 'object') throw optionError('TracerOptions', 'an object', options);
  const o: Record<string, unknown> = {};
  try {
    const given = options as Record<string, unknown>;
    for (const name of OPTION_NAMES) {
      const value = given[name];
      if (value !== undefined) o[name] = value;
    }
  } catch {
    throw optionError('TracerOptions', 'an object whose properties can be read', options);
  }
  if (typeof o.serviceName !== 'string' || o.serviceName.trim() === '') {
    throw optionError('TracerOptions.serviceName', 'a non-empty string', o.serviceName);
  }
  check(o, 'recorder', 'a Recorder (record, flush, close)', (v) => hasMethods(v, ['record', 'flush', 'close']));
  check(o, 'sampler', 'a Sampler (shouldSample)', (v) => hasMethods(v, ['shouldSample']));
  check(o, 'scopeManager', 'a ScopeManager (active, activate, bind)', (v) => hasMethods(v, ['active', 'activate', 'bind']));
  check(o, 'logger', 'an object with a warn(message) method', (v) => hasMethods(v, ['warn']));
  check(o, 'tags', 'an object of tag names to values', (v) => {
    if (v === null || typeof v !== 'object' || Array.isArray(v)) return false;
    o.tags = { ...v };
    return true;
  });
  if (o.propagation !== undefined) {
    let names: unknown[] | null = null;
    try {
      if (Array.isArray(o.propagation)) names = [...(o.propagation as unknown[])];
    } catch {
      names = null;
    }
    if (names === null) throw optionError('TracerOptions.propagation', 'an array of propagation names', o.propagation);
    for (const name of names) {
      if (!PROPAGATION_NAMES.includes(name as PropagationName)) {
        throw optionError('TracerOptions.propagation', `a list of ${PROPAGATION_NAMES.join(', ')}`, name);
      }
    }
    o.propagation = names;
  }
  try {
    resolveSpanLimits(o.limits);
  } catch (error) {
    if (error instanceof TypeError && error.message.startsWith('sextant: TracerOptions.limits')) throw error;
    throw optionError('TracerOptions.limits', 'an object whose properties can be read', o.limits);
  }
  return o as unknown as TracerOptions;
}

const OPTION_NAMES = ['serviceName', 'recorder', 'sampler', 'propagation', 'scopeManager', 'tags', 'logger', 'limits'] as const;

/** Throws naming `TracerOptions.<name>` when the option is given and `ok` says no or throws (a hostile object). */
function check(o: Record<string, unknown>, name: string, expected: string, ok: (value: unknown) => boolean): void {
  const value = o[name];
  if (value === undefined) return;
  let passed: boolean;
  try {
    passed = ok(value);
  } catch {
    passed = false;
  }
  if (!passed) throw optionError(`TracerOptions.${name}`, expected, value);
}
