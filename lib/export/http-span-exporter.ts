import type { FinishedSpan } from '../recording/finished-span';
import type { TracerProcess } from '../recording/recorder';
import { describeError } from '../util/describe';
import type { ExportOptions, ExportResult, Exporter } from '../recording/exporter';
import { resolveHttpExporterOptions } from './http-exporter-options';
import type { ResolvedHttpExporterOptions } from './http-exporter-options';
import { HttpTransport } from './http-transport';
import type { PostResult } from './http-transport';
import { ProcessRegistry } from './process-registry';

const OK: ExportResult = Object.freeze({ ok: true });

/**
 * The part every HTTP exporter shares: option checks, the process registry fed by
 * `attach`, encoding guarded against throws, the retrying transport, and reporting
 * each kind of failure once. Subclasses say how a batch becomes a body.
 */
export abstract class HttpSpanExporter<ProcessEncoding> implements Exporter {
  protected readonly options: ResolvedHttpExporterOptions;
  protected readonly registry: ProcessRegistry<ProcessEncoding>;
  private readonly transport: HttpTransport;
  /** the URL without credentials, for messages */
  private readonly target: string;
  private shutDown = false;

  protected constructor(
    options: unknown,
    owner: string,
    private readonly label: string,
    encodeProcess: (serviceName: string, tags: Readonly<Record<string, unknown>> | undefined) => ProcessEncoding,
  ) {
    this.options = resolveHttpExporterOptions(options, owner);
    this.registry = new ProcessRegistry(encodeProcess, this.options.logger);
    this.transport = new HttpTransport({
      url: this.options.url,
      headers: { 'user-agent': 'sextant', ...this.options.headers },
      timeoutMillis: this.options.timeoutMillis,
      retry: this.options.retry,
    });
    this.target = `${this.options.url.origin}${this.options.url.pathname}`;
  }

  /** The request body for a batch, and the headers that describe it. */
  protected abstract encode(spans: FinishedSpan[]): Promise<{ body: Buffer; headers: Record<string, string> }>;

  /** Looks at an accepted response (e.g. for OTLP partial success). */
  protected onAccepted(_result: PostResult): void {}

  /** Records the tracer's service name, process tags and logger. Called through `BatchRecorder.attach`. */
  attach(process: TracerProcess): void {
    this.registry.attach(process);
  }

  /**
   * Sends one batch, retrying what can be retried within `options.deadline`.
   * Resolves `{ ok: false, error }` on failure; never rejects, never throws.
   *
   *     const result = await exporter.export(spans);
   *     if (!result.ok) console.warn(result.error);
   */
  async export(spans: FinishedSpan[], options?: ExportOptions): Promise<ExportResult> {
    try {
      if (this.shutDown) return { ok: false, error: `${this.label} exporter is shut down` };
      if (!Array.isArray(spans) || spans.length === 0) return OK;
      let encoded: { body: Buffer; headers: Record<string, string> };
      try {
        encoded = await this.encode(spans);
      } catch (error) {
        const message = `${this.label} export could not encode ${spans.length} spans: ${describeError(error)}`;
        this.registry.faults.warnOnce(`${this.label}-encode`, message);
        return { ok: false, error: message };
      }
      const result = await this.transport.post(encoded.body, encoded.headers, options);
      if (result.ok) {
        this.onAccepted(result);
        return OK;
      }
      const error = `${this.label} export to ${this.target} failed: ${result.error}`;
      // An abort is the recorder giving up at its deadline; it reports that itself.
      if (result.kind !== 'aborted' && result.kind !== 'shutdown') {
        this.registry.faults.warnOnce(
          `${this.label}-export-${result.kind}`,
          `${error}. Further failures of this kind are not logged; see BatchRecorder.stats().`,
        );
      }
      return { ok: false, error };
    } catch (error) {
      return { ok: false, error: `${this.label} export failed: ${describeError(error)}` };
    }
  }

  /** Aborts requests under way and closes connections; later exports fail at once. */
  async shutdown(): Promise<void> {
    this.shutDown = true;
    this.transport.shutdown();
  }
}
