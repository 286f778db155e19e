import type { Tracer } from '../tracer';
import { FaultLogger } from '../util/fault-logger';
import { optionError } from '../util/option-error';

/** A TypeError for an option that cannot work, naming it: `sextant: tracedFetch options.fetch must be ...`. */
export function middlewareOptionError(owner: string, name: string, expected: string, got: unknown): TypeError {
  return optionError(`${owner} ${name}`, expected, got);
}

/**
 * Checks that `options` is undefined or a plain object whose keys are all known, so a
 * typo such as `ignorePath` fails at startup instead of silently doing nothing.
 */
export function checkOptionsObject(owner: string, options: unknown, known: readonly string[]): Record<string, unknown> {
  if (options === undefined) return {};
  if (options === null || typeof options !== 'object' || Array.isArray(options)) {
    throw middlewareOptionError(owner, 'options', 'an object', options);
  }
  const record = options as Record<string, unknown>;
  for (const key of Object.keys(record)) {
    if (!known.includes(key)) {
      throw new TypeError(`sextant: ${owner} options.${key} is not an option (known: ${known.join(', ')})`);
    }
  }
  return record;
}

/** Throws unless `value` is undefined or a function. */
export function checkOptionalFunction(owner: string, name: string, value: unknown): void {
  if (value !== undefined && typeof value !== 'function') throw middlewareOptionError(owner, `options.${name}`, 'a function', value);
}

/** Throws unless `tracer` is a sextant Tracer (or quacks like one); returns its fault logger. */
export function checkTracer(owner: string, tracer: unknown): FaultLogger {
  const candidate = tracer as Partial<Record<'startSpan' | 'inject' | 'extract' | 'scopeManager', unknown>> | null;
  if (
    candidate === null ||
    typeof candidate !== 'object' ||
    typeof candidate.startSpan !== 'function' ||
    typeof candidate.inject !== 'function' ||
    typeof candidate.extract !== 'function' ||
    typeof candidate.scopeManager !== 'function'
  ) {
    throw middlewareOptionError(owner, 'tracer', 'a sextant Tracer (opentracing.globalTracer() has no scope manager)', tracer);
  }
  const faults = (tracer as Partial<Tracer>)._faults;
  return faults instanceof FaultLogger ? faults : new FaultLogger(console);
}
