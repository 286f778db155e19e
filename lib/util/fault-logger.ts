/** Where sextant reports its own faults. Anything with a `warn(message)` method works. */
export interface Logger {
  warn(message: string): void;
}

/**
 * Reports internal faults through a user-supplied logger, at most once per kind,
 * so a broken exporter or a misbehaving caller cannot flood the application's logs.
 * Never throws, even when the logger itself does.
 */
export class FaultLogger {
  private readonly reported = new Set<string>();

  constructor(private readonly logger: Logger = console) {}

  /**
   * Warns about a fault of the given kind unless that kind was reported before.
   *
   *     faults.warnOnce('export-failed', 'OTLP export failed: ECONNREFUSED');
   */
  warnOnce(kind: string, message: string): void {
    if (this.reported.has(kind)) return;
    this.reported.add(kind);
    try {
      this.logger.warn(`sextant: ${message}`);
    } catch {
      // A logger that throws must not turn a reported fault into a crash.
    }
  }

  /** Whether a fault of this kind was already reported (for tests and stats). */
  hasReported(kind: string): boolean {
    return this.reported.has(kind);
  }
}

/** Describes any thrown value in one line, without trusting its `toString`. */
export function describeError(error: unknown): string {
  try {
    if (error instanceof Error) return `${error.name}: ${error.message}`;
    return String(error);
  } catch {
    return 'unprintable error';
  }
}
