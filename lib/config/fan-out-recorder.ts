import type { RecorderStats } from '../recording/batch-recorder';
import type { FinishedSpan } from '../recording/finished-span';
import type { Recorder, TracerProcess } from '../recording/recorder';

/** The counters of `RecorderStats`, summed over recorders. */
const COUNTERS = ['recorded', 'exported', 'dropped', 'failed', 'unencodable', 'exportRequests', 'queued', 'exporting'] as const;

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

  /**
   * The stats of the recorders that keep them (a `BatchRecorder` does), summed, with the
   * `lastError` of the last one that has one; undefined when none keeps stats.
   *
   *     new FanOutRecorder([new BatchRecorder(otlp), new ConsoleRecorder()]).stats()?.exported;
   */
  stats(): RecorderStats | undefined {
    let sum: RecorderStats | undefined;
    for (const recorder of this.recorders) {
      const stats = statsOf(recorder);
      if (stats === undefined) continue;
      sum ??= { recorded: 0, exported: 0, dropped: 0, failed: 0, unencodable: 0, exportRequests: 0, queued: 0, exporting: 0 };
      for (const counter of COUNTERS) if (typeof stats[counter] === 'number') sum[counter] += stats[counter];
      if (typeof stats.lastError === 'string') sum.lastError = stats.lastError;
    }
    return sum;
  }

  async flush(): Promise<void> {
    await Promise.allSettled(this.recorders.map(async (r) => r.flush()));
  }

  async close(): Promise<void> {
    await Promise.allSettled(this.recorders.map(async (r) => r.close()));
  }
}

/** A recorder's stats, when it keeps them (duck-typed) and they can be read. */
function statsOf(recorder: Recorder): RecorderStats | undefined {
  const candidate = recorder as Recorder & { stats?: () => RecorderStats | undefined };
  if (typeof candidate.stats !== 'function') return undefined;
  try {
    const stats = candidate.stats();
    return stats !== null && typeof stats === 'object' ? stats : undefined;
  } catch {
    return undefined;
  }
}
