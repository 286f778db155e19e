import type { FinishedSpan } from '../recording/finished-span';
import { HttpSpanExporter } from './http-span-exporter';
import type { HttpExporterOptions } from './http-exporter-options';
import { toZipkinSpan, zipkinProcessTags } from './zipkin-json';

/** Options of `ZipkinExporter`. */
export interface ZipkinExporterOptions extends HttpExporterOptions {
  /** e.g. `http://127.0.0.1:9411/api/v2/spans` */
  url: string;
}

/**
 * Sends spans as Zipkin v2 JSON (a list of spans) to a Zipkin server's
 * `/api/v2/spans` (or anything that speaks it: Jaeger's Zipkin port, the
 * OpenTelemetry Collector's zipkin receiver). Zipkin has no resource, so the tracer's
 * process tags are added to every span's tags (a span tag of the same name wins).
 * Retries 429/502/503/504 and network errors with backoff; never rejects.
 *
 *     const exporter = new ZipkinExporter({ url: 'http://127.0.0.1:9411/api/v2/spans' });
 *     const tracer = new Tracer({ serviceName: 'checkout', recorder: new BatchRecorder(exporter) });
 */
export class ZipkinExporter extends HttpSpanExporter<Readonly<Record<string, string>> | undefined> {
  constructor(options: ZipkinExporterOptions) {
    super(options, 'ZipkinExporterOptions', 'Zipkin', (_serviceName, tags) => zipkinProcessTags(tags));
  }

  protected async encode(spans: FinishedSpan[]): Promise<{ body: Buffer; headers: Record<string, string> }> {
    const includeBaggage = this.options.includeBaggage;
    const list = spans.map((span) => toZipkinSpan(span, this.registry.encoded(span.serviceName), { includeBaggage }));
    return { body: Buffer.from(JSON.stringify(list), 'utf8'), headers: { 'content-type': 'application/json' } };
  }
}
