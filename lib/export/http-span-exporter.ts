import { gzip } from 'node:zlib';
import type { FinishedSpan } from '../recording/finished-span';
import type { TracerProcess } from '../recording/recorder';
import { describeError } from '../util/describe';
import type { ExportOptions, ExportResult, Exporter } from '../recording/exporter';
import { SpanTooLargeError } from './encoding-bounds';
import { resolveHttpExporterOptions } from './http-exporter-options';
import type { ResolvedHttpExporterOptions } from './http-exporter-options';
import { HttpTransport } from './http-transport';
import type { PostResult } from './http-transport';
import { ProcessRegistry } from './process-registry';
import type { RequestBody } from './request-body';

const OK: ExportResult = Object.freeze({ ok: true });

/**
 * Failures that concern one request's content only: the other requests of a batch sent
 * in parts are still worth sending. Any other failure (network, timeout, 5xx, 429 past
 * its retries, auth) would meet them too, so the rest of the batch is not sent.
 */
const BODY_SPECIFIC_FAILURES: ReadonlySet<string> = new Set(['http-400', 'http-413', 'http-422']);

function gzipped(body: Buffer): Promise<Buffer> {
  return new Promise((resolve, reject) => gzip(body, (error, out) => (error ? reject(error) : resolve(out))));
}

/** A span's name for a message, whatever the span is made of. */
function spanLabel(span: FinishedSpan): string {
  try {
    const name = span.operationName;
    return typeof name === 'string' ? JSON.stringify(name.length > 100 ? `${name.slice(0, 99)}…` : name) : 'a span';
  } catch {
    return 'a span';
  }
}

/** What one export call came to, request by request. */
interface Tally {
  exported: number;
  failed: number;
  unencodable: number;
  /** why the last span was dropped unsent */
  dropReason?: string;
  /** the last failed request */
  failure?: PostResult;
  /** a failure that the rest of the batch would meet too: send nothing more */
  stop: boolean;
}

/**
 * The part every HTTP exporter shares: option checks, the process descriptions (from
 * `span.process`, else `attach`), encoding span by span into bodies no larger than
 * `maxRequestBytes` (a span that cannot be encoded, or is larger alone, is dropped and
 * counted, never its batch), optional gzip, the retrying transport, and the bound of
 * `timeoutMillis` on the whole export. Subclasses say how spans become a body.
 */
export abstract class HttpSpanExporter<ProcessEncoding> implements Exporter {
  protected readonly options: ResolvedHttpExporterOptions;
  protected readonly registry: ProcessRegistry<ProcessEncoding>;
  private readonly transport: HttpTransport;
  /** the URL without credentials, for messages */
  private readonly target: string;
  private shutDown = false;
  /** a body builder kept between exports (null while one is under way) */
  private idleBody: RequestBody | null = null;

  protected constructor(
    options: unknown,
    owner: string,
    protected readonly label: string,
    encodeProcess: (serviceName: string, tags: Readonly<Record<string, unknown>> | undefined, maxBytes: number) => ProcessEncoding,
  ) {
    this.options = resolveHttpExporterOptions(options, owner);
    const maxBytes = this.options.maxRequestBytes;
    this.registry = new ProcessRegistry((name, tags) => encodeProcess(name, tags, maxBytes), this.options.logger);
    this.transport = new HttpTransport({
      url: this.options.url,
      headers: { 'user-agent': 'sextant', ...this.options.headers },
      timeoutMillis: this.options.timeoutMillis,
      retry: this.options.retry,
    });
    this.target = `${this.options.url.origin}${this.options.url.pathname}`;
  }

  /**
   * The bound, in ms, on one `export()` call, retries included: `BatchRecorder` bounds
   * `flush()` and `close()` by it.
   */
  get timeoutMillis(): number {
    return this.options.timeoutMillis;
  }

  /** A new, empty body builder of the exporter's format. */
  protected abstract createBody(): RequestBody;

  /** Headers that describe every body (beyond Content-Type). */
  protected bodyHeaders(): Record<string, string> {
    return {};
  }

  /** Whether bodies are gzipped. */
  protected get gzip(): boolean {
    return false;
  }

  /** Looks at an accepted response (e.g. for OTLP partial success). */
  protected onAccepted(_result: PostResult): void {}

  /** Records the tracer's service name, process tags and logger. Called through `BatchRecorder.attach`. */
  attach(process: TracerProcess): void {
    this.registry.attach(process);
  }

  /**
   * Sends one batch, as several requests if its encoding passes `maxRequestBytes`,
   * retrying what can be retried within `timeoutMillis` (and `options.deadline`).
   * Resolves `{ ok: false, error }` on failure; never rejects, never throws. Spans that
   * could not be encoded are dropped, counted in `unencodable` and reported once per kind.
   *
   *     const result = await exporter.export(spans);
   *     if (!result.ok) console.warn(result.error);
   */
  async export(spans: FinishedSpan[], options?: ExportOptions): Promise<ExportResult> {
    try {
      if (this.shutDown) return { ok: false, error: `${this.label} exporter is shut down`, kind: 'shutdown' };
      if (!Array.isArray(spans) || spans.length === 0) return OK;
      const asked = options?.deadline;
      const deadline = Math.min(
        typeof asked === 'number' && !Number.isNaN(asked) ? asked : Infinity,
        Date.now() + this.options.timeoutMillis,
      );
      const limits: ExportOptions = { deadline, signal: options?.signal };
      const tally: Tally = { exported: 0, failed: 0, unencodable: 0, stop: false };
      const body = this.idleBody ?? this.createBody();
      this.idleBody = null;
      try {
        await this.sendAll(spans, body, limits, tally);
      } finally {
        body.clear();
        this.idleBody = body;
      }
      return this.result(tally);
    } catch (error) {
      return { ok: false, error: `${this.label} export failed: ${describeError(error)}`, kind: 'internal' };
    }
  }

  /** Aborts requests under way and closes connections; later exports fail at once. */
  async shutdown(): Promise<void> {
    this.shutDown = true;
    this.transport.shutdown();
  }

  private async sendAll(spans: FinishedSpan[], body: RequestBody, limits: ExportOptions, tally: Tally): Promise<void> {
    const max = this.options.maxRequestBytes;
    for (let i = 0; i < spans.length; i++) {
      if (tally.stop) {
        tally.failed += spans.length - i;
        return;
      }
      const span = spans[i];
      try {
        body.add(span);
      } catch (error) {
        this.drop(span, error, tally);
        continue;
      }
      if (body.size() <= max) continue;
      body.removeLast();
      if (body.count === 0) {
        this.drop(span, new SpanTooLargeError(), tally);
        continue;
      }
      // The body is full: send it, then encode this span again into the next one.
      await this.send(body, limits, tally);
      i--;
    }
    if (body.count > 0) await this.send(body, limits, tally);
  }

  private async send(body: RequestBody, limits: ExportOptions, tally: Tally): Promise<void> {
    const count = body.count;
    const contentType = body.contentType;
    let payload = body.take();
    if (tally.stop) {
      tally.failed += count;
      return;
    }
    const headers: Record<string, string> = { 'content-type': contentType, ...this.bodyHeaders() };
    if (this.gzip) {
      payload = await gzipped(payload);
      headers['content-encoding'] = 'gzip';
    }
    const result = await this.transport.post(payload, headers, limits);
    if (result.ok) {
      tally.exported += count;
      this.onAccepted(result);
      return;
    }
    tally.failed += count;
    tally.failure = result;
    if (!BODY_SPECIFIC_FAILURES.has(result.kind ?? '')) tally.stop = true;
  }

  /** Counts a span left out of the batch, and says why once per kind. */
  private drop(span: FinishedSpan, error: unknown, tally: Tally): void {
    tally.unencodable++;
    const tooLarge = error instanceof SpanTooLargeError;
    const why = tooLarge
      ? `it alone is larger than maxRequestBytes (${this.options.maxRequestBytes} bytes)`
      : `it could not be encoded (${describeError(error)})`;
    tally.dropReason = `${this.label} export dropped ${spanLabel(span)}: ${why}`;
    this.registry.faults.warnOnce(
      `${this.label}-${tooLarge ? 'span-too-large' : 'span-unencodable'}`,
      `${tally.dropReason}; the rest of its batch is sent. Further spans dropped for this reason are not logged; see stats().unencodable.`,
    );
  }

  private result(tally: Tally): ExportResult {
    const unencodable = tally.unencodable;
    if (tally.failed === 0) return unencodable === 0 ? OK : { ok: true, unencodable, error: tally.dropReason };
    const failure = tally.failure;
    const error = failure === undefined ? `${this.label} export failed` : `${this.label} export to ${this.target} failed: ${failure.error}`;
    const result: ExportResult = { ok: false, error, kind: failure?.kind ?? 'unknown', exported: tally.exported };
    if (unencodable > 0) result.unencodable = unencodable;
    return result;
  }
}
