import type { Exporter } from '../recording/exporter';
import { isFramingHeader } from '../export/http-exporter-options';
import { OtlpHttpExporter, OTLP_HTTP_EXPORTER_DEFAULTS } from '../export/otlp-http-exporter';
import type { OtlpHttpProtocol } from '../export/otlp-http-exporter';
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
 * The values OTEL_EXPORTER_OTLP_(TRACES_)PROTOCOL may take. sextant speaks OTLP/HTTP only:
 * `grpc` is reported once and `http/protobuf` (which every OTLP receiver also takes, on
 * port 4318) is sent instead.
 */
const OTLP_PROTOCOLS = ['http/protobuf', 'http/json', 'grpc'] as const;

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
    if (name === 'console') return new ConsoleRecorder({ flushOnExit: true });
    const exporter = name === 'otlp' ? otlpExporter(reader) : zipkinExporter(reader);
    return new BatchRecorder(exporter, batching);
  } catch (error) {
    reader.reject('OTEL_TRACES_EXPORTER', name, `the ${name} exporter could not be built (${describeError(error)})`, `no ${name} exporter`);
    return null;
  }
}

function otlpExporter(reader: EnvReader): Exporter {
  const url = otlpTracesUrl(reader);
  const headers = { ...headersFrom(reader, 'OTEL_EXPORTER_OTLP_HEADERS'), ...headersFrom(reader, 'OTEL_EXPORTER_OTLP_TRACES_HEADERS') };
  const generalTimeout = reader.timeout('OTEL_EXPORTER_OTLP_TIMEOUT', ENV_DEFAULTS.OTEL_EXPORTER_OTLP_TIMEOUT);
  const timeoutMillis = reader.timeout('OTEL_EXPORTER_OTLP_TRACES_TIMEOUT', generalTimeout);
  const compressions = ['gzip', 'none'] as const;
  const generalCompression = reader.choice('OTEL_EXPORTER_OTLP_COMPRESSION', compressions, ENV_DEFAULTS.OTEL_EXPORTER_OTLP_COMPRESSION);
  const compression = reader.choice('OTEL_EXPORTER_OTLP_TRACES_COMPRESSION', compressions, generalCompression);
  return new OtlpHttpExporter({ url, headers, timeoutMillis, compression, protocol: otlpProtocol(reader) });
}

/**
 * Headers from a `key=value,...` variable, values never shown. Headers that frame the
 * request are refused one by one (each with a warning); the others are kept.
 */
function headersFrom(reader: EnvReader, name: string): Record<string, string> {
  const options = { isValidKey: isHeaderName, isValidValue: isHeaderValue, redact: true, fallbackText: 'no headers from it' };
  const pairs = reader.keyValues(name, options) ?? {};
  const headers: Record<string, string> = {};
  for (const key of Object.keys(pairs)) {
    if (isFramingHeader(key)) {
      reader.reject(name, `${key}=***`, `${key} frames the request, which the exporter does itself`, 'the other headers of the list');
    } else {
      headers[key] = pairs[key];
    }
  }
  return headers;
}

/** The traces variable wins over the general one; `grpc` is reported (once) and protobuf sent. */
function otlpProtocol(reader: EnvReader): OtlpHttpProtocol {
  const fallback = OTLP_HTTP_EXPORTER_DEFAULTS.protocol;
  const general = reader.choice('OTEL_EXPORTER_OTLP_PROTOCOL', OTLP_PROTOCOLS, fallback);
  const traces = reader.choice('OTEL_EXPORTER_OTLP_TRACES_PROTOCOL', OTLP_PROTOCOLS, general);
  if (traces !== 'grpc') return traces;
  const name =
    reader.string('OTEL_EXPORTER_OTLP_TRACES_PROTOCOL') !== undefined
      ? 'OTEL_EXPORTER_OTLP_TRACES_PROTOCOL'
      : 'OTEL_EXPORTER_OTLP_PROTOCOL';
  reader.reject(
    name,
    'grpc',
    'sextant speaks OTLP over HTTP only',
    `${fallback} to the same endpoint (OTLP receivers take it on port 4318)`,
  );
  return fallback;
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
