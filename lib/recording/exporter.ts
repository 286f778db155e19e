import type { FinishedSpan } from './finished-span';
import type { TracerProcess } from './recorder';

/** The outcome of one export call. Exporters resolve with it; they never reject. */
export interface ExportResult {
  /** true when the backend accepted every span of the batch that could be encoded */
  ok: boolean;
  /** when `ok` is false: what went wrong, for logs and stats; when spans were left unsent: why */
  error?: string;
  /** when `ok` is false: a short, stable name of the kind of failure (`network`, `timeout`, `http-503`, ...), to report each kind once */
  kind?: string;
  /**
   * spans of the batch left unsent: they could not be encoded, or one alone was larger
   * than a request may be. Not retried; default 0
   */
  unencodable?: number;
  /** when `ok` is false: spans the backend accepted all the same (a batch sent in several requests); default 0 */
  exported?: number;
}

/**
 * Limits `BatchRecorder` puts on one export call. Exporters that ignore them still
 * work: the recorder stops waiting at the deadline either way.
 */
export interface ExportOptions {
  /** aborted when the recorder stops waiting: cancel requests and retry pauses */
  signal?: AbortSignal;
  /** epoch ms by which the call should have settled; no retry should be started that cannot finish by then */
  deadline?: number;
}

/**
 * Sends batches of finished spans to a backend. Called by `BatchRecorder`, one batch
 * at a time.
 *
 *     const exporter = new OtlpHttpExporter({ url: 'http://127.0.0.1:4318/v1/traces' });
 *     const recorder = new BatchRecorder(exporter);
 */
export interface Exporter {
  export(spans: FinishedSpan[], options?: ExportOptions): Promise<ExportResult>;
  shutdown(): Promise<void>;
  /**
   * The longest one `export()` call takes, in ms, retries included. `BatchRecorder`
   * bounds `flush()` and `close()` by it (or by its own `exportTimeoutMillis`, if smaller
   * or if this is absent), never more than 30 s.
   */
  readonly timeoutMillis?: number;
  /** See `Recorder.attach`: forwarded by `BatchRecorder`. */
  attach?(process: TracerProcess): void;
}
