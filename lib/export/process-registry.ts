import type { FinishedSpan } from '../recording/finished-span';
import type { TracerProcess } from '../recording/recorder';
import { FaultLogger, isFaultLogger } from '../util/fault-logger';
import type { Logger } from '../util/fault-logger';

/** Stands for "no span seen yet" in the one-entry cache. */
const NONE = Object.freeze({});

/**
 * Each span's process description, encoded in the exporter's format once per process:
 * from `span.process` (one shared object per tracer, so it is cached by identity and
 * costs a span nothing), else, for a hand-built span without one, from what `attach()`
 * registered for its service (tags merged when several tracers share a name, the later
 * one winning). Also holds the logger to report faults through.
 *
 *     const registry = new ProcessRegistry((name, tags) => encodeResource(name, tags), options.logger);
 *     registry.attach(process);
 *     registry.forSpan(span);
 */
export class ProcessRegistry<Encoded> {
  private readonly tags = new Map<string, Readonly<Record<string, unknown>>>();
  private readonly cache = new Map<string, Encoded>();
  private readonly byProcess = new WeakMap<object, { encoded: Encoded }>();
  private lastProcess: object = NONE;
  private lastEncoded: Encoded | undefined;
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

  /**
   * The encoded process description of a span's tracer. Throws what encoding throws
   * (hostile process tags): the caller drops the span.
   */
  forSpan(span: FinishedSpan): Encoded {
    const process = span.process as unknown;
    if (process === this.lastProcess) return this.lastEncoded as Encoded;
    if (process === null || typeof process !== 'object') return this.encoded(span.serviceName);
    let entry = this.byProcess.get(process);
    if (entry === undefined) {
      const { serviceName, tags } = process as FinishedSpan['process'];
      entry = { encoded: this.encode(serviceName, tags) };
      this.byProcess.set(process, entry);
    }
    this.lastProcess = process;
    this.lastEncoded = entry.encoded;
    return entry.encoded;
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
