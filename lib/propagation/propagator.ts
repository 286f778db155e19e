import type { PropagationName } from '../options';
import { SpanContext } from '../span-context';
import { readerFor } from './carrier-reader';
import type { TextMapCodec } from './text-map-codec';
import { W3CBaggageCodec } from './w3c-baggage-codec';
import { W3CTraceContextCodec } from './w3c-trace-context-codec';

const CODECS: Partial<Record<PropagationName, () => TextMapCodec>> = {
  tracecontext: () => new W3CTraceContextCodec(),
  baggage: () => new W3CBaggageCodec(),
};

/**
 * The formats a tracer speaks, in order: inject writes every one; extract takes the
 * first valid context and merges baggage from every codec that carries some.
 */
export class Propagator {
  private readonly codecs: TextMapCodec[];

  constructor(names: readonly PropagationName[]) {
    this.codecs = [];
    for (const name of names) {
      const make = CODECS[name];
      if (make !== undefined) this.codecs.push(make());
    }
  }

  injectTextMap(context: SpanContext, carrier: unknown): void {
    if (carrier === null || typeof carrier !== 'object') return;
    for (const codec of this.codecs) codec.inject(context, carrier as Record<string, unknown>);
  }

  extractTextMap(carrier: unknown): SpanContext | null {
    const reader = readerFor(carrier);
    if (reader === null) return null;
    let context: SpanContext | null = null;
    let baggage: Record<string, string> | null = null;
    for (const codec of this.codecs) {
      const parts = codec.extract(reader);
      if (context === null && parts.context !== null) context = parts.context;
      if (parts.baggage !== null) baggage = baggage === null ? parts.baggage : Object.assign({}, baggage, parts.baggage);
    }
    if (context === null) return null;
    if (baggage !== null) context.baggage = { ...context.baggage, ...baggage };
    return context;
  }

  injectBinary(_context: SpanContext, _carrier: unknown): void {
    // The binary format is built in the propagation issue.
  }

  extractBinary(_carrier: unknown): SpanContext | null {
    return null;
  }
}
