import type { FinishedSpan } from '../recording/finished-span';
import type { Recorder, TracerProcess } from '../recording/recorder';

/**
 * Hands every span to several recorders, for `OTEL_TRACES_EXPORTER=otlp,console`.
 * One recorder failing never keeps a span from the others.
 *
 *     new FanOutRecorder([new BatchRecorder(otlp), new ConsoleRecorder()]);
 */
export class FanOutRecorder implements Recorder {
  constructor(private readonly recorders: readonly Recorder[]) {}

  attach(tracerProcess: TracerProcess): void {
    for (const recorder of this.recorders) {
      if (typeof recorder.attach !== 'function') continue;
      try {
        recorder.attach(tracerProcess);
      } catch {
        tracerProcess.logger.warnOnce('fan-out-attach', 'a recorder threw from attach(); it may describe the process incompletely.');
      }
    }
  }

  record(span: FinishedSpan): void {
    for (const recorder of this.recorders) {
      try {
        recorder.record(span);
      } catch {
        // Recorders must not throw; if one does, the others still get the span.
      }
    }
  }

  async flush(): Promise<void> {
    await Promise.allSettled(this.recorders.map(async (r) => r.flush()));
  }

  async close(): Promise<void> {
    await Promise.allSettled(this.recorders.map(async (r) => r.close()));
  }
}
