import type { FinishedSpan } from './finished-span';
import type { Recorder } from './recorder';

/**
 * Keeps finished spans in an array, for tests and debugging.
 *
 *     const recorder = new InMemoryRecorder();
 *     const tracer = new Tracer({ serviceName: 'test', recorder });
 *     tracer.startSpan('work').finish();
 *     recorder.spans()[0].operationName; // 'work'
 */
export class InMemoryRecorder implements Recorder {
  private recorded: FinishedSpan[] = [];
  private closed = false;

  record(span: FinishedSpan): void {
    if (!this.closed) this.recorded.push(span);
  }

  /** The spans recorded so far, oldest first (a copy of the list). */
  spans(): FinishedSpan[] {
    return this.recorded.slice();
  }

  /** Forgets every recorded span. */
  clear(): void {
    this.recorded = [];
  }

  async flush(): Promise<void> {}

  /** Later spans are ignored; those recorded stay readable. */
  async close(): Promise<void> {
    this.closed = true;
  }
}
