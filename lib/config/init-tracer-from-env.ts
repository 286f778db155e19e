import { validateTracerOptions } from '../options';
import type { TracerOptions } from '../options';
import { Tracer } from '../tracer';
import { optionError } from '../util/option-error';
import { defaultServiceName } from './env-defaults';
import { EnvReader } from './env-reader';
import { propagationFromEnv } from './propagation-from-env';
import { recorderFromEnv } from './recorder-from-env';
import { samplerFromEnv } from './sampler-from-env';
import { spanLimitsFromEnv } from './span-limits-from-env';

/**
 * A tracer configured by the OpenTelemetry SDK environment variables, so a deployment
 * manifest can set it up without code: `OTEL_SERVICE_NAME`, `OTEL_RESOURCE_ATTRIBUTES`,
 * `OTEL_TRACES_SAMPLER(_ARG)`, `OTEL_PROPAGATORS`, `OTEL_TRACES_EXPORTER`,
 * `OTEL_EXPORTER_OTLP_*`, `OTEL_EXPORTER_ZIPKIN_*`, `OTEL_BSP_*`, the span limits
 * (`OTEL_SPAN_ATTRIBUTE_COUNT_LIMIT`, `OTEL_ATTRIBUTE_COUNT_LIMIT`, `OTEL_SPAN_EVENT_COUNT_LIMIT`,
 * `OTEL_SPAN_LINK_COUNT_LIMIT`, `OTEL_EVENT_ATTRIBUTE_COUNT_LIMIT`,
 * `OTEL_SPAN_ATTRIBUTE_VALUE_LENGTH_LIMIT`, `OTEL_ATTRIBUTE_VALUE_LENGTH_LIMIT`; span-specific
 * wins over general) and `OTEL_SDK_DISABLED` (see the README table for each default).
 * `process.env` is read on each call.
 *
 * Whatever `overrides` sets wins over the environment (its `tags` are merged over the
 * resource attributes, its `limits` limit by limit), and the variables it makes moot are
 * not read. An unusable
 * variable is reported once through `overrides.logger` (default `console`), naming it
 * and its value, and its documented default is used: configuration never crashes the
 * process. Invalid `overrides` throw a TypeError naming the option, as `new Tracer` does.
 *
 * With `OTEL_SDK_DISABLED=true` the tracer records nothing (no recorder, even one passed
 * in `overrides`) but still propagates context. That, and `OTEL_TRACES_EXPORTER=none`,
 * are asked for, so the tracer does not warn that it has no recorder.
 *
 * The recorder it builds flushes on exit (`beforeExit`, `SIGTERM`, `SIGINT`) for at most
 * `OTEL_EXPORTER_OTLP_TIMEOUT` (10 s; never more than 30 s), then lets a signal end the
 * process as it would have. A server that drains on `SIGTERM` takes the signal itself:
 * once it has stopped taking requests, it closes the tracer and exits (a `SIGTERM`
 * listener that never exits would keep the process running). `tracer.stats()` shows what
 * was recorded, exported, dropped or lost.
 *
 *     // OTEL_SERVICE_NAME=checkout OTEL_TRACES_SAMPLER=parentbased_traceidratio OTEL_TRACES_SAMPLER_ARG=0.1
 *     const tracer = initTracerFromEnv();
 *     opentracing.initGlobalTracer(tracer);
 *     const server = app.listen(8080);
 *     process.once('SIGTERM', () => {
 *       // stop taking requests; once those under way are answered, send their spans (bounded) and exit
 *       server.close(() => void tracer.close().finally(() => process.exit(0)));
 *     });
 */
export function initTracerFromEnv(given: Partial<TracerOptions> = {}): Tracer {
  if (given === null || typeof given !== 'object') {
    throw new TypeError(`sextant: initTracerFromEnv(overrides) must be given an object, got ${given === null ? 'null' : typeof given}`);
  }
  let overrides: Partial<TracerOptions>;
  try {
    // Read once: getters run once, and a Proxy that throws is a wrong argument, named.
    overrides = { ...given };
  } catch {
    throw optionError('initTracerFromEnv(overrides)', 'an object whose properties can be read', given);
  }
  // Code errors surface before the environment is read, naming the option.
  validateTracerOptions({ ...overrides, serviceName: overrides.serviceName === undefined ? 'unset' : overrides.serviceName });

  const reader = new EnvReader(process.env, overrides.logger ?? console);
  const disabled = reader.boolean('OTEL_SDK_DISABLED');
  const resource = reader.keyValues('OTEL_RESOURCE_ATTRIBUTES', { fallbackText: 'no resource attributes from it' }) ?? {};
  const { 'service.name': resourceServiceName, ...resourceTags } = resource;

  const options: TracerOptions = {
    serviceName: overrides.serviceName ?? reader.string('OTEL_SERVICE_NAME') ?? nonEmpty(resourceServiceName) ?? defaultServiceName(),
    sampler: overrides.sampler ?? samplerFromEnv(reader),
    propagation: overrides.propagation ?? propagationFromEnv(reader),
    tags: { ...resourceTags, ...overrides.tags },
  };
  const limits = spanLimitsFromEnv(reader, overrides.limits);
  if (limits !== undefined) options.limits = limits;
  if (!disabled) {
    const recorder = overrides.recorder ?? recorderFromEnv(reader);
    if (recorder !== null) options.recorder = recorder;
  }
  if (overrides.scopeManager !== undefined) options.scopeManager = overrides.scopeManager;
  if (overrides.logger !== undefined) options.logger = overrides.logger;
  const tracer = new Tracer(options);
  // Recording nothing was asked for (OTEL_SDK_DISABLED=true, OTEL_TRACES_EXPORTER=none):
  // the tracer must not warn that nothing is recorded.
  const noneAsked = options.recorder === undefined && reader.list('OTEL_TRACES_EXPORTER')?.includes('none') === true;
  if (disabled || noneAsked) tracer._disableRecording();
  return tracer;
}

function nonEmpty(value: string | undefined): string | undefined {
  return value === undefined || value.trim() === '' ? undefined : value;
}
