import { gzip } from 'node:zlib';
import type { FinishedSpan } from '../recording/finished-span';
import { HttpSpanExporter } from './http-span-exporter';
import type { HttpExporterOptions } from './http-exporter-options';
import type { PostResult } from './http-transport';
import { toOtlpRequest, toOtlpResource } from './otlp-json';
import type { OtlpResource } from './otlp-json';

/** Options of `OtlpHttpExporter`. */
export interface OtlpHttpExporterOptions extends HttpExporterOptions {
  /** e.g. `http://127.0.0.1:4318/v1/traces` (the collector's OTLP/HTTP port and traces path) */
  url: string;
  /** `gzip` compresses each request body (`Content-Encoding: gzip`); default `none` */
  compression?: 'gzip' | 'none';
}

function gzipped(body: Buffer): Promise<Buffer> {
  return new Promise((resolve, reject) => gzip(body, (error, out) => (error ? reject(error) : resolve(out))));
}

/**
 * Sends spans as OTLP/HTTP JSON (`ExportTraceServiceRequest`), which the OpenTelemetry
 * Collector, Jaeger (1.35+) and Grafana Tempo accept on port 4318 at `/v1/traces`.
 * One ResourceSpans per service, its resource being `service.name` plus the tracer's
 * process tags. Retries 429/502/503/504 and network errors with backoff, honouring
 * Retry-After; never rejects.
 *
 *     const exporter = new OtlpHttpExporter({
 *       url: 'http://127.0.0.1:4318/v1/traces',
 *       headers: { authorization: `Bearer ${token}` },
 *       compression: 'gzip',
 *     });
 *     const tracer = new Tracer({ serviceName: 'checkout', recorder: new BatchRecorder(exporter) });
 */
export class OtlpHttpExporter extends HttpSpanExporter<OtlpResource> {
  private readonly compression: 'gzip' | 'none';

  constructor(options: OtlpHttpExporterOptions) {
    super(options, 'OtlpHttpExporterOptions', 'OTLP', toOtlpResource);
    const compression = (options as { compression?: unknown }).compression ?? 'none';
    if (compression !== 'gzip' && compression !== 'none') {
      throw new TypeError(`sextant: OtlpHttpExporterOptions.compression must be 'gzip' or 'none', got ${String(compression)}`);
    }
    this.compression = compression;
  }

  protected async encode(spans: FinishedSpan[]): Promise<{ body: Buffer; headers: Record<string, string> }> {
    const request = toOtlpRequest(spans, (serviceName) => this.registry.encoded(serviceName), {
      includeBaggage: this.options.includeBaggage,
    });
    const json = Buffer.from(JSON.stringify(request), 'utf8');
    if (this.compression === 'gzip') {
      return { body: await gzipped(json), headers: { 'content-type': 'application/json', 'content-encoding': 'gzip' } };
    }
    return { body: json, headers: { 'content-type': 'application/json' } };
  }

  /** A 200 may still carry `partialSuccess`: the backend dropped some spans; say so once. */
  protected onAccepted(result: PostResult): void {
    if (result.body === undefined || result.body === '' || !(result.contentType ?? '').includes('json')) return;
    try {
      const response = JSON.parse(result.body) as { partialSuccess?: { rejectedSpans?: unknown; errorMessage?: unknown } };
      const partial = response?.partialSuccess;
      if (partial === undefined || partial === null) return;
      const rejected = Number(partial.rejectedSpans ?? 0);
      const message = typeof partial.errorMessage === 'string' ? partial.errorMessage : '';
      if (rejected > 0 || message !== '') {
        this.registry.faults.warnOnce(
          'OTLP-partial-success',
          `OTLP backend accepted the batch but rejected ${rejected} spans${message ? `: ${message}` : ''}`,
        );
      }
    } catch {
      // Not JSON after all: nothing to learn from it.
    }
  }
}
