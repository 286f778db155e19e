import { HttpSpanExporter } from './http-span-exporter';
import type { HttpExporterOptions } from './http-exporter-options';
import type { RequestBody } from './request-body';
import { ZipkinBody } from './zipkin-body';
import { zipkinProcessTags } from './zipkin-json';

/** Options of `ZipkinExporter`. */
export interface ZipkinExporterOptions extends HttpExporterOptions {
  /** e.g. `http://127.0.0.1:9411/api/v2/spans` */
  url: string;
}

type ProcessTags = Readonly<Record<string, string>> | undefined;

/**
 * Sends spans as Zipkin v2 JSON (a list of spans) to a Zipkin server's
 * `/api/v2/spans` (or anything that speaks it: Jaeger's Zipkin port, the
 * OpenTelemetry Collector's zipkin receiver). Zipkin has no resource, so the tracer's
 * process tags (from `span.process`) are added to every span's tags (a span tag of the
 * same name wins). A batch larger than `maxRequestBytes` goes as several requests;
 * retries 429/502/503/504 and network errors with backoff within `timeoutMillis`;
 * never rejects.
 *
 *     const exporter = new ZipkinExporter({ url: 'http://127.0.0.1:9411/api/v2/spans' });
 *     const tracer = new Tracer({ serviceName: 'checkout', recorder: new BatchRecorder(exporter) });
 */
export class ZipkinExporter extends HttpSpanExporter<ProcessTags> {
  constructor(options: ZipkinExporterOptions) {
    super(options, 'ZipkinExporterOptions', 'Zipkin', (_serviceName, tags, maxBytes) => zipkinProcessTags(tags, maxBytes));
  }

  protected createBody(): RequestBody {
    return new ZipkinBody((span) => this.registry.forSpan(span), {
      includeBaggage: this.options.includeBaggage,
      maxSpanBytes: this.options.maxRequestBytes,
    });
  }
}
