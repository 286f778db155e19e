import type { FaultLogger } from '../util/fault-logger';
import type { FinishedSpan } from './finished-span';

/**
 * What a tracer tells its recorder (and the recorder its exporter) about itself:
 * the service the spans come from, its process-wide tags, and where to report faults.
 */
export interface TracerProcess {
  serviceName: string;
  /** process-wide tags (OTLP: resource attributes; Jaeger: process tags) */
  tags: Readonly<Record<string, unknown>>;
  /** reports faults once per kind through the tracer's logger */
  logger: FaultLogger;
}

/**
 * Receives every finished, sampled span. Implementations buffer and emit them.
 * `record` is on the application's hot path: it must return quickly and never throw.
 *
 *     const recorder = new InMemoryRecorder();
 *     const tracer = new Tracer({ serviceName: 'api', recorder });
 */
export interface Recorder {
  /** Takes ownership of a finished span. */
  record(span: FinishedSpan): void;
  /** Resolves once every span recorded so far has been emitted (or given up on). */
  flush(): Promise<void>;
  /** Flushes, releases resources; later `record` calls are ignored. */
  close(): Promise<void>;
  /**
   * Called by each tracer that uses this recorder, once, at construction, so
   * exporters can describe the process and report faults through its logger.
   */
  attach?(process: TracerProcess): void;
}
