import type { SpanContext } from '../span-context';

/** A sampler's verdict. Samplers return shared, frozen decisions: no allocation per span. */
export interface SamplingDecision {
  readonly sampled: boolean;
  /** tags set on the root span that was sampled, e.g. `sampler.type`, `sampler.param` */
  readonly tags?: Readonly<Record<string, unknown>>;
}

/**
 * Decides whether a new span is recorded. Called once per span started with no
 * local parent (a root, or a child of an extracted context).
 *
 *     const tracer = new Tracer({ serviceName: 'api', sampler: new ConstSampler(true) });
 */
export interface Sampler {
  /**
   * @param traceId the trace id of the span being started (32 hex).
   * @param operationName the span's operation name.
   * @param parent the remote parent context, or null for a new trace.
   */
  shouldSample(traceId: string, operationName: string, parent: SpanContext | null): SamplingDecision;
  /** A short description for logs, e.g. `ConstSampler(true)`. */
  toString(): string;
}

/** Builds a frozen decision with `sampler.type`/`sampler.param` tags, as jaeger-client records. */
export function samplingDecision(sampled: boolean, type: string, param: unknown): SamplingDecision {
  return Object.freeze({ sampled, tags: Object.freeze({ 'sampler.type': type, 'sampler.param': param }) });
}
