import type { FinishedSpan } from './finished-span';
import type { TracerProcess } from './recorder';

/** The outcome of one export call. Exporters resolve with it; they never reject. */
export interface ExportResult {
  /** true when the backend accepted the batch */
  ok: boolean;
  /** set when `ok` is false: what went wrong, for logs and stats */
  error?: string;
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
  /** See `Recorder.attach`: forwarded by `BatchRecorder`. */
  attach?(process: TracerProcess): void;
}
