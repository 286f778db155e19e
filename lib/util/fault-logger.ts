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
    this.warn(message);
  }

  /**
   * Warns every time: for events that happen once by nature (a shutdown that lost spans).
   *
   *     faults.warn('close(): 12 spans could not be delivered (ECONNREFUSED)');
   */
  warn(message: string): void {
    try {
      this.logger.warn(`sextant: ${message}`);
    } catch {
      // A logger that throws must not turn a reported fault into a crash.
    }
  }
}

/**
 * Whether `value` can report faults like a FaultLogger. Duck-typed, so that a logger
 * from a second copy of sextant in the same process (or a test double) is accepted.
 *
 *     if (isFaultLogger(process.logger)) faults = process.logger;
 */
export function isFaultLogger(value: unknown): value is FaultLogger {
  return value !== null && typeof value === 'object' && typeof (value as FaultLogger).warnOnce === 'function';
}
