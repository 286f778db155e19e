import type { TracerProcess } from '../recording/recorder';
import { FaultLogger, isFaultLogger } from '../util/fault-logger';
import type { Logger } from '../util/fault-logger';

/**
 * What an exporter learns from `attach()`: each service's process-wide tags (merged
 * when several tracers share a name, the later one winning), encoded once per service
 * in the exporter's format, and the logger to report faults through.
 *
 *     const registry = new ProcessRegistry((name, tags) => toOtlpResource(name, tags), options.logger);
 *     registry.attach(process);
 *     registry.encoded('checkout');
 */
export class ProcessRegistry<Encoded> {
  private readonly tags = new Map<string, Readonly<Record<string, unknown>>>();
  private readonly cache = new Map<string, Encoded>();
  private logger: FaultLogger;
  private loggerFixed: boolean;

  constructor(
    private readonly encode: (serviceName: string, tags: Readonly<Record<string, unknown>> | undefined) => Encoded,
    logger?: Logger,
  ) {
    this.logger = new FaultLogger(logger ?? console);
    this.loggerFixed = logger !== undefined;
  }

  /** Where faults go: the exporter's own `logger` option, else the first attached tracer's. */
  get faults(): FaultLogger {
    return this.logger;
  }

  attach(process: TracerProcess): void {
    if (process === null || typeof process !== 'object') return;
    if (!this.loggerFixed && isFaultLogger(process.logger)) {
      this.logger = process.logger;
      // The first tracer's logger wins; later ones only add tags.
      this.loggerFixed = true;
    }
    if (typeof process.serviceName !== 'string') return;
    const previous = this.tags.get(process.serviceName);
    const tags = process.tags !== null && typeof process.tags === 'object' ? process.tags : {};
    this.tags.set(process.serviceName, previous === undefined ? tags : { ...previous, ...tags });
    this.cache.delete(process.serviceName);
  }

  /** The encoded process description of a service (tags of an unknown service: none). */
  encoded(serviceName: string): Encoded {
    if (this.cache.has(serviceName)) return this.cache.get(serviceName) as Encoded;
    const value = this.encode(serviceName, this.tags.get(serviceName));
    // Unknown names come from spans recorded by tracers that never attached; do not
    // let them grow the cache without bound.
    if (this.cache.size < 1000) this.cache.set(serviceName, value);
    return value;
  }
}
