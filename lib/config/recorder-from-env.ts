import type { Exporter } from '../recording/exporter';
import { OtlpHttpExporter } from '../export/otlp-http-exporter';
import { ZipkinExporter } from '../export/zipkin-exporter';
import { BatchRecorder } from '../recording/batch-recorder';
import type { BatchOptions } from '../recording/batch-options';
import { ConsoleRecorder } from '../recording/console-recorder';
import type { Recorder } from '../recording/recorder';
import { describeError } from '../util/describe';
import { ENV_DEFAULTS } from './env-defaults';
import type { EnvReader } from './env-reader';
import { FanOutRecorder } from './fan-out-recorder';
import { isHeaderName, isHeaderValue } from './key-value-list';
import { otlpTracesUrl } from './otlp-endpoint';

const EXPORTER_NAMES = ['otlp', 'zipkin', 'console', 'none'] as const;
type ExporterName = (typeof EXPORTER_NAMES)[number];

/**
 * The OTLP exporter sends OTLP/HTTP JSON. Every OTLP/HTTP receiver that takes
 * `http/protobuf` (the OTel default) takes JSON on the same URL, so both are accepted;
 * `grpc` is not spoken and is reported.
 */
const OTLP_HTTP_PROTOCOLS = ['http/json', 'http/protobuf'] as const;

/**
 * The recorder `OTEL_TRACES_EXPORTER` asks for, or null for `none`: OTLP and Zipkin
 * exporters behind a `BatchRecorder` configured by `OTEL_BSP_*` (flushed on exit),
 * a `ConsoleRecorder` for `console`, and all of them at once for a list.
 *
 *     // OTEL_TRACES_EXPORTER=otlp OTEL_EXPORTER_OTLP_ENDPOINT=http://collector:4318
 *     recorderFromEnv(reader); // BatchRecorder(OtlpHttpExporter('http://collector:4318/v1/traces'))
 */
export function recorderFromEnv(reader: EnvReader): Recorder | null {
  const names = exporterNames(reader);
  if (names.includes('none')) return null;
  const batching = names.some((n) => n === 'otlp' || n === 'zipkin') ? batchOptions(reader) : {};
  const recorders: Recorder[] = [];
  for (const name of names) {
    const recorder = build(name, reader, batching);
    if (recorder !== null) recorders.push(recorder);
  }
  if (recorders.length === 0) return null;
  return recorders.length === 1 ? recorders[0] : new FanOutRecorder(recorders);
}

function exporterNames(reader: EnvReader): ExporterName[] {
  const fallback = [...ENV_DEFAULTS.OTEL_TRACES_EXPORTER];
  const entries = reader.list('OTEL_TRACES_EXPORTER');
  if (entries === undefined) return fallback;
  const known = entries.filter((e): e is ExporterName => EXPORTER_NAMES.includes(e as ExporterName));
  const unknown = entries.filter((e) => !known.includes(e as ExporterName));
  const value = reader.string('OTEL_TRACES_EXPORTER') ?? '';
  const supported = `supported: ${EXPORTER_NAMES.join(', ')}`;
  if (known.length === 0) {
    reader.reject('OTEL_TRACES_EXPORTER', value, `no supported exporter in it (${supported})`, `the default ${fallback.join(',')}`);
    return fallback;
  }
  const usable = known.length > 1 ? known.filter((e) => e !== 'none') : known;
  const problems: string[] = [];
  if (unknown.length > 0) problems.push(`${unknown.join(', ')} not supported (${supported})`);
  if (usable.length < known.length) problems.push(`'none' cannot be combined with other exporters`);
  if (problems.length > 0) reader.reject('OTEL_TRACES_EXPORTER', value, problems.join('; '), usable.join(','));
  return usable;
}

function build(name: ExporterName, reader: EnvReader, batching: BatchOptions): Recorder | null {
  // A constructor that rejects what the environment passed must not crash the process.
  try {
    if (name === 'console') return new ConsoleRecorder();
    const exporter = name === 'otlp' ? otlpExporter(reader) : zipkinExporter(reader);
    return new BatchRecorder(exporter, batching);
  } catch (error) {
    reader.reject('OTEL_TRACES_EXPORTER', name, `the ${name} exporter could not be built (${describeError(error)})`, `no ${name} exporter`);
    return null;
  }
}

function otlpExporter(reader: EnvReader): Exporter {
  const url = otlpTracesUrl(reader);
  const headerOptions = { isValidKey: isHeaderName, isValidValue: isHeaderValue, redact: true, fallbackText: 'no headers from it' };
  const headers = {
    ...reader.keyValues('OTEL_EXPORTER_OTLP_HEADERS', headerOptions),
    ...reader.keyValues('OTEL_EXPORTER_OTLP_TRACES_HEADERS', headerOptions),
  };
  const generalTimeout = reader.timeout('OTEL_EXPORTER_OTLP_TIMEOUT', ENV_DEFAULTS.OTEL_EXPORTER_OTLP_TIMEOUT);
  const timeoutMillis = reader.timeout('OTEL_EXPORTER_OTLP_TRACES_TIMEOUT', generalTimeout);
  const compressions = ['gzip', 'none'] as const;
  const generalCompression = reader.choice('OTEL_EXPORTER_OTLP_COMPRESSION', compressions, ENV_DEFAULTS.OTEL_EXPORTER_OTLP_COMPRESSION);
  const compression = reader.choice('OTEL_EXPORTER_OTLP_TRACES_COMPRESSION', compressions, generalCompression);
  checkProtocol(reader);
  return new OtlpHttpExporter({ url, headers, timeoutMillis, compression });
}

/** A `grpc` request is reported rather than silently sent somewhere as JSON. */
function checkProtocol(reader: EnvReader): void {
  for (const name of ['OTEL_EXPORTER_OTLP_PROTOCOL', 'OTEL_EXPORTER_OTLP_TRACES_PROTOCOL']) {
    reader.choice(name, OTLP_HTTP_PROTOCOLS, 'http/json');
  }
}

function zipkinExporter(reader: EnvReader): Exporter {
  const fallbackUrl = ENV_DEFAULTS.OTEL_EXPORTER_ZIPKIN_ENDPOINT;
  const url = reader.url('OTEL_EXPORTER_ZIPKIN_ENDPOINT', `the default ${fallbackUrl}`) ?? fallbackUrl;
  const timeoutMillis = reader.timeout('OTEL_EXPORTER_ZIPKIN_TIMEOUT', ENV_DEFAULTS.OTEL_EXPORTER_ZIPKIN_TIMEOUT);
  return new ZipkinExporter({ url, timeoutMillis });
}

/** `OTEL_BSP_*`, read once and shared by every batch recorder built from it. */
function batchOptions(reader: EnvReader): BatchOptions {
  const maxQueueSize = reader.positiveInteger('OTEL_BSP_MAX_QUEUE_SIZE', ENV_DEFAULTS.OTEL_BSP_MAX_QUEUE_SIZE);
  let maxBatchSize = reader.positiveInteger('OTEL_BSP_MAX_EXPORT_BATCH_SIZE', ENV_DEFAULTS.OTEL_BSP_MAX_EXPORT_BATCH_SIZE);
  if (maxBatchSize > maxQueueSize) {
    const explicit = reader.string('OTEL_BSP_MAX_EXPORT_BATCH_SIZE') !== undefined;
    if (explicit) {
      reader.reject(
        'OTEL_BSP_MAX_EXPORT_BATCH_SIZE',
        String(maxBatchSize),
        `larger than OTEL_BSP_MAX_QUEUE_SIZE (${maxQueueSize})`,
        String(maxQueueSize),
      );
    }
    maxBatchSize = maxQueueSize;
  }
  return {
    maxQueueSize,
    maxBatchSize,
    scheduledDelayMillis: reader.duration('OTEL_BSP_SCHEDULE_DELAY', ENV_DEFAULTS.OTEL_BSP_SCHEDULE_DELAY),
    exportTimeoutMillis: reader.timeout('OTEL_BSP_EXPORT_TIMEOUT', ENV_DEFAULTS.OTEL_BSP_EXPORT_TIMEOUT),
    flushOnExit: true,
  };
}
