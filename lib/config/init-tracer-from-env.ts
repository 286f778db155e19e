import { validateTracerOptions } from '../options';
import type { TracerOptions } from '../options';
import { Tracer } from '../tracer';
import { defaultServiceName } from './env-defaults';
import { EnvReader } from './env-reader';
import { propagationFromEnv } from './propagation-from-env';
import { recorderFromEnv } from './recorder-from-env';
import { samplerFromEnv } from './sampler-from-env';

/**
 * A tracer configured by the OpenTelemetry SDK environment variables, so a deployment
 * manifest can set it up without code: `OTEL_SERVICE_NAME`, `OTEL_RESOURCE_ATTRIBUTES`,
 * `OTEL_TRACES_SAMPLER(_ARG)`, `OTEL_PROPAGATORS`, `OTEL_TRACES_EXPORTER`,
 * `OTEL_EXPORTER_OTLP_*`, `OTEL_EXPORTER_ZIPKIN_*`, `OTEL_BSP_*` and `OTEL_SDK_DISABLED`
 * (see the README table for each default). `process.env` is read on each call.
 *
 * Whatever `overrides` sets wins over the environment (its `tags` are merged over the
 * resource attributes), and the variables it makes moot are not read. An unusable
 * variable is reported once through `overrides.logger` (default `console`), naming it
 * and its value, and its documented default is used: configuration never crashes the
 * process. Invalid `overrides` throw a TypeError naming the option, as `new Tracer` does.
 *
 * With `OTEL_SDK_DISABLED=true` the tracer records nothing (no recorder, even one passed
 * in `overrides`) but still propagates context.
 *
 * The exporters' recorder flushes on exit (`beforeExit`, SIGTERM, SIGINT), at most
 * `OTEL_EXPORTER_OTLP_TIMEOUT` (10 s; never more than 30 s), and then lets a signal end
 * the process as it would have. An application with its own SIGTERM handler must end
 * the process itself, or it will ignore SIGTERM:
 *
 *     // OTEL_SERVICE_NAME=checkout OTEL_TRACES_SAMPLER=parentbased_traceidratio OTEL_TRACES_SAMPLER_ARG=0.1
 *     const tracer = initTracerFromEnv();
 *     opentracing.initGlobalTracer(tracer);
 *     const server = app.listen(8080);
 *     process.once('SIGTERM', () => {
 *       server.close(); // stop taking requests
 *       void tracer.close().finally(() => process.exit(0)); // bounded: spans sent or given up
 *     });
 */
export function initTracerFromEnv(overrides: Partial<TracerOptions> = {}): Tracer {
  if (overrides === null || typeof overrides !== 'object') {
    throw new TypeError(
      `sextant: initTracerFromEnv(overrides) must be given an object, got ${overrides === null ? 'null' : typeof overrides}`,
    );
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
  if (!disabled) {
    const recorder = overrides.recorder ?? recorderFromEnv(reader);
    if (recorder !== null) options.recorder = recorder;
  }
  if (overrides.scopeManager !== undefined) options.scopeManager = overrides.scopeManager;
  if (overrides.logger !== undefined) options.logger = overrides.logger;
  return new Tracer(options);
}

function nonEmpty(value: string | undefined): string | undefined {
  return value === undefined || value.trim() === '' ? undefined : value;
}
