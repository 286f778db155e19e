import { SPAN_LIMITS_DEFAULTS } from '../span-limits';
import type { SpanLimits } from '../span-limits';
import type { EnvReader } from './env-reader';

/** The OpenTelemetry variables each limit is read from, the span-specific one first. */
export const SPAN_LIMIT_VARIABLES: Readonly<Record<keyof SpanLimits, readonly string[]>> = Object.freeze({
  maxTags: ['OTEL_SPAN_ATTRIBUTE_COUNT_LIMIT', 'OTEL_ATTRIBUTE_COUNT_LIMIT'],
  maxLogs: ['OTEL_SPAN_EVENT_COUNT_LIMIT'],
  maxReferences: ['OTEL_SPAN_LINK_COUNT_LIMIT'],
  maxLogFields: ['OTEL_EVENT_ATTRIBUTE_COUNT_LIMIT'],
  maxValueLength: ['OTEL_SPAN_ATTRIBUTE_VALUE_LENGTH_LIMIT', 'OTEL_ATTRIBUTE_VALUE_LENGTH_LIMIT'],
});

/** The largest limit a variable may set: anything more is a typo, not a wish. */
const MAX_LIMIT = 2 ** 31 - 1;

/**
 * The span limits the environment sets, with `overrides` (the caller's
 * `TracerOptions.limits`) winning limit by limit; undefined when neither sets any.
 * A span-specific variable wins over the general one; a value that is not a whole number
 * from 0 is reported (naming the variable) and ignored, so the next variable or the
 * default applies.
 *
 *     // OTEL_SPAN_EVENT_COUNT_LIMIT=32
 *     spanLimitsFromEnv(reader, undefined); // { maxLogs: 32 }
 */
export function spanLimitsFromEnv(reader: EnvReader, overrides: SpanLimits | undefined): SpanLimits | undefined {
  const limits: SpanLimits = {};
  let any = false;
  for (const name of Object.keys(SPAN_LIMIT_VARIABLES) as (keyof SpanLimits)[]) {
    const given = overrides?.[name];
    if (given !== undefined) {
      limits[name] = given;
      any = true;
      continue;
    }
    const variables = SPAN_LIMIT_VARIABLES[name];
    const fallback = SPAN_LIMITS_DEFAULTS[name] === Infinity ? 'no limit' : `the default ${SPAN_LIMITS_DEFAULTS[name]}`;
    for (let i = 0; i < variables.length; i++) {
      const variable = variables[i];
      const value = wholeNumber(reader, variable, i + 1 < variables.length ? `${variables[i + 1]} if set, else ${fallback}` : fallback);
      if (value === undefined) continue;
      limits[name] = value;
      any = true;
      break;
    }
  }
  return any ? limits : undefined;
}

function wholeNumber(reader: EnvReader, variable: string, fallbackText: string): number | undefined {
  const text = reader.string(variable);
  if (text === undefined) return undefined;
  const value = /^\+?\d+$/.test(text) ? Number(text) : NaN;
  if (Number.isSafeInteger(value) && value <= MAX_LIMIT) return value;
  reader.reject(variable, text, `expected a whole number from 0 to ${MAX_LIMIT}`, fallbackText);
  return undefined;
}
