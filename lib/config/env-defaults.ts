import { HTTP_EXPORTER_DEFAULTS } from '../export/http-exporter-options';
import { DEFAULT_PROPAGATION } from '../propagation/propagation-name';
import { BATCH_RECORDER_DEFAULTS } from '../recording/batch-options';

/**
 * The defaults `initTracerFromEnv` uses when a variable is unset, empty or unusable:
 * those of the OpenTelemetry SDK environment specification. Where a component has a
 * default of its own (the batch recorder, the exporters, the propagator), it is taken
 * from there, so the two cannot drift apart.
 */
export const ENV_DEFAULTS = Object.freeze({
  OTEL_TRACES_SAMPLER: 'parentbased_always_on',
  /** for the ratio samplers */
  OTEL_TRACES_SAMPLER_ARG_RATIO: 1,
  /** for sextant's rate-limiting samplers, in traces per second */
  OTEL_TRACES_SAMPLER_ARG_RATE: 1,
  OTEL_PROPAGATORS: DEFAULT_PROPAGATION,
  OTEL_TRACES_EXPORTER: Object.freeze(['otlp'] as const),
  OTEL_EXPORTER_OTLP_ENDPOINT: 'http://localhost:4318',
  /** the path appended to OTEL_EXPORTER_OTLP_ENDPOINT (never to the _TRACES_ variant) */
  OTLP_TRACES_PATH: 'v1/traces',
  OTEL_EXPORTER_OTLP_TIMEOUT: HTTP_EXPORTER_DEFAULTS.timeoutMillis,
  OTEL_EXPORTER_OTLP_COMPRESSION: 'none',
  OTEL_EXPORTER_ZIPKIN_ENDPOINT: 'http://localhost:9411/api/v2/spans',
  OTEL_EXPORTER_ZIPKIN_TIMEOUT: HTTP_EXPORTER_DEFAULTS.timeoutMillis,
  OTEL_BSP_SCHEDULE_DELAY: BATCH_RECORDER_DEFAULTS.scheduledDelayMillis,
  OTEL_BSP_EXPORT_TIMEOUT: BATCH_RECORDER_DEFAULTS.exportTimeoutMillis,
  OTEL_BSP_MAX_QUEUE_SIZE: BATCH_RECORDER_DEFAULTS.maxQueueSize,
  OTEL_BSP_MAX_EXPORT_BATCH_SIZE: BATCH_RECORDER_DEFAULTS.maxBatchSize,
});

/** The service name when neither code nor environment gives one: `unknown_service:<executable>`. */
export function defaultServiceName(): string {
  const executable = (process.argv0 || '').split(/[\\/]/).pop();
  return executable ? `unknown_service:${executable}` : 'unknown_service';
}
