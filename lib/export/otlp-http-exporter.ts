import type { FinishedSpan } from '../recording/finished-span';
import { HttpSpanExporter } from './http-span-exporter';
import type { HttpExporterOptions } from './http-exporter-options';
import type { PostResult } from './http-transport';
import { encodeJsonResource, encodeJsonScope, OtlpJsonBody } from './otlp-json-body';
import { encodeProtobufResource, encodeProtobufScope, OtlpProtobufBody } from './otlp-protobuf-body';
import { scopeEncoder } from './otlp-scope';
import { readPartialSuccess } from './otlp-response';
import type { RequestBody } from './request-body';
import { optionError } from '../util/option-error';

/** The OTLP/HTTP encodings sextant speaks. */
export type OtlpHttpProtocol = 'http/protobuf' | 'http/json';

/** Options of `OtlpHttpExporter`. */
export interface OtlpHttpExporterOptions extends HttpExporterOptions {
  /** e.g. `http://127.0.0.1:4318/v1/traces` (the collector's OTLP/HTTP port and traces path) */
  url: string;
  /** `gzip` compresses each request body (`Content-Encoding: gzip`); default `none` */
  compression?: 'gzip' | 'none';
  /**
   * `http/protobuf` (`application/x-protobuf`, the OTLP specification's default) or
   * `http/json` (`application/json`); default `http/protobuf`
   */
  protocol?: OtlpHttpProtocol;
}

/** The defaults of the OTLP-only options. */
export const OTLP_HTTP_EXPORTER_DEFAULTS = Object.freeze({ compression: 'none', protocol: 'http/protobuf' } as const);

type Resource = Buffer;

/**
 * Sends spans as OTLP/HTTP (`ExportTraceServiceRequest`, protobuf by default, or JSON),
 * which the OpenTelemetry Collector, Jaeger (1.35+) and Grafana Tempo accept on port
 * 4318 at `/v1/traces`. One ResourceSpans per tracer, its resource being `service.name`
 * plus the tracer's process tags (from `span.process`). A batch larger than
 * `maxRequestBytes` goes as several requests; retries 429/502/503/504 and network errors
 * with backoff, honouring Retry-After, all within `timeoutMillis`; never rejects.
 *
 *     const exporter = new OtlpHttpExporter({
 *       url: 'http://127.0.0.1:4318/v1/traces',
 *       headers: { authorization: `Bearer ${token}` },
 *       compression: 'gzip',
 *     });
 *     const tracer = new Tracer({ serviceName: 'checkout', recorder: new BatchRecorder(exporter) });
 */
export class OtlpHttpExporter extends HttpSpanExporter<Resource> {
  private readonly compression: 'gzip' | 'none';
  /** the encoding this exporter sends */
  readonly protocol: OtlpHttpProtocol;
  /** each span's instrumentation scope, encoded once per scope */
  private readonly scopeFor: (span: FinishedSpan) => Uint8Array;

  constructor(options: OtlpHttpExporterOptions) {
    const protocol = (options as { protocol?: unknown } | null)?.protocol ?? OTLP_HTTP_EXPORTER_DEFAULTS.protocol;
    super(options, 'OtlpHttpExporterOptions', 'OTLP', (name, tags, maxBytes) =>
      protocol === 'http/json' ? encodeJsonResource(name, tags, maxBytes) : encodeProtobufResource(name, tags, maxBytes),
    );
    if (protocol !== 'http/protobuf' && protocol !== 'http/json') {
      throw optionError('OtlpHttpExporterOptions.protocol', "'http/protobuf' or 'http/json'", protocol);
    }
    this.protocol = protocol;
    this.scopeFor = scopeEncoder(protocol === 'http/json' ? encodeJsonScope : encodeProtobufScope);
    const compression = (options as { compression?: unknown }).compression ?? OTLP_HTTP_EXPORTER_DEFAULTS.compression;
    if (compression !== 'gzip' && compression !== 'none') {
      throw optionError('OtlpHttpExporterOptions.compression', "'gzip' or 'none'", compression);
    }
    this.compression = compression;
  }

  protected createBody(): RequestBody {
    const options = { includeBaggage: this.options.includeBaggage, maxSpanBytes: this.options.maxRequestBytes };
    const resourceFor = (span: FinishedSpan): Uint8Array => this.registry.forSpan(span);
    if (this.protocol === 'http/json') return new OtlpJsonBody(resourceFor, this.scopeFor, options);
    return new OtlpProtobufBody(resourceFor, this.scopeFor, options);
  }

  protected get gzip(): boolean {
    return this.compression === 'gzip';
  }

  /** A 200 may still carry `partialSuccess`: the backend dropped some spans; say so once. */
  protected onAccepted(result: PostResult): void {
    const partial = readPartialSuccess(result.body, result.contentType);
    if (partial === undefined) return;
    this.registry.faults.warnOnce(
      'OTLP-partial-success',
      `OTLP backend accepted the batch but rejected ${partial.rejectedSpans} spans${partial.errorMessage ? `: ${partial.errorMessage}` : ''}`,
    );
  }
}
