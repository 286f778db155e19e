import type * as opentracing from 'opentracing';
import { RESOLVED } from './peer';

/**
 * W2 for tracers without an active-span mechanism: the same three nested async levels,
 * each awaiting a resolved promise, with the parent passed explicitly as `childOf`.
 */
export function explicitChain(tracer: opentracing.Tracer): () => Promise<void> {
  const level = async (name: string, parent: opentracing.Span | null, inner: ((span: opentracing.Span) => Promise<void>) | null) => {
    const span = tracer.startSpan(name, parent === null ? undefined : { childOf: parent });
    try {
      await RESOLVED;
      if (inner !== null) await inner(span);
    } finally {
      span.finish();
    }
  };
  return () => level('w2.level1', null, (l1) => level('w2.level2', l1, (l2) => level('w2.level3', l2, null)));
}
