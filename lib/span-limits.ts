import { optionError } from './util/option-error';

/**
 * Per-span bounds, with OpenTelemetry's span limits' defaults: what one span may hold,
 * whatever the code that fills it does. The first items are kept; the rest are dropped
 * and counted in `FinishedSpan.dropped` (log fields: in that log's `droppedFields`).
 *
 *     new Tracer({ serviceName: 'api', recorder, limits: { maxLogs: 32, maxValueLength: 4096 } });
 */
export interface SpanLimits {
  /** distinct tag keys per span; a new key past it is dropped, an existing one still set. Default 128 */
  maxTags?: number;
  /** logs per span. Default 128 */
  maxLogs?: number;
  /** references per span (`childOf` and `references` together). Default 128 */
  maxReferences?: number;
  /** fields per log; the first ones are kept. Default 128 */
  maxLogFields?: number;
  /**
   * longest string kept in a tag or log field value (also strings directly inside an
   * array value), in UTF-16 code units; longer ones are cut. Default `Infinity` (none)
   */
  maxValueLength?: number;
}

/** `SpanLimits` with every value given, as a tracer uses them. */
export type ResolvedSpanLimits = Readonly<Required<SpanLimits>> & {
  /** whether `maxValueLength` is finite, so values must be looked at */
  readonly cutsValues: boolean;
};

/** OpenTelemetry's defaults: 128 of each, no value length limit. */
export const SPAN_LIMITS_DEFAULTS: Readonly<Required<SpanLimits>> = Object.freeze({
  maxTags: 128,
  maxLogs: 128,
  maxReferences: 128,
  maxLogFields: 128,
  maxValueLength: Infinity,
});

const DEFAULT_RESOLVED: ResolvedSpanLimits = Object.freeze({ ...SPAN_LIMITS_DEFAULTS, cutsValues: false });

const COUNT_NAMES = ['maxTags', 'maxLogs', 'maxReferences', 'maxLogFields'] as const;

/**
 * The limits a tracer applies: `limits` over the defaults, checked. Throws a TypeError
 * naming the option for a value that cannot work (counts: whole numbers from 0;
 * `maxValueLength`: a whole number from 0, or `Infinity`).
 *
 *     resolveSpanLimits({ maxLogs: 10 }).maxTags; // 128
 */
export function resolveSpanLimits(limits: unknown): ResolvedSpanLimits {
  if (limits === undefined) return DEFAULT_RESOLVED;
  if (limits === null || typeof limits !== 'object' || Array.isArray(limits)) {
    throw optionError('TracerOptions.limits', 'an object of span limits', limits);
  }
  const given = limits as Record<string, unknown>;
  const resolved: { -readonly [K in keyof Required<SpanLimits>]: number } = { ...SPAN_LIMITS_DEFAULTS };
  for (const name of COUNT_NAMES) {
    const value = given[name];
    if (value === undefined) continue;
    if (!isCount(value)) throw optionError(`TracerOptions.limits.${name}`, 'a whole number from 0', value);
    resolved[name] = value;
  }
  const length = given.maxValueLength;
  if (length !== undefined) {
    if (!isCount(length) && length !== Infinity) {
      throw optionError('TracerOptions.limits.maxValueLength', 'a whole number from 0, or Infinity for no limit', length);
    }
    resolved.maxValueLength = length;
  }
  return Object.freeze({ ...resolved, cutsValues: resolved.maxValueLength !== Infinity });
}

function isCount(value: unknown): value is number {
  return typeof value === 'number' && Number.isSafeInteger(value) && value >= 0;
}
