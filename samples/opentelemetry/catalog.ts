/**
 * A small library instrumented the way libraries are today: only against
 * `@opentelemetry/api`, with no tracer of its own. With no SDK installed its spans are
 * no-ops; with `registerOpenTelemetry(tracer)` they are sextant spans, in the same trace
 * as the application's OpenTracing spans.
 */
import { context, propagation, SpanStatusCode, trace } from '@opentelemetry/api';
import type { Span } from '@opentelemetry/api';

const tracer = trace.getTracer('catalog-lib', '0.3.0');

export interface Book {
  title: string;
  author: string;
}

const BOOKS: Book[] = [
  { title: 'The Left Hand of Darkness', author: 'Le Guin' },
  { title: 'The Dispossessed', author: 'Le Guin' },
  { title: 'Kindred', author: 'Butler' },
];

/** The books of `author`, from a (pretend) index lookup; the caller's baggage names the tenant. */
export function findBooks(author: string): Promise<Book[]> {
  return tracer.startActiveSpan('catalog.findBooks', { attributes: { 'catalog.author': author } }, async (span: Span) => {
    try {
      const tenant = propagation.getBaggage(context.active())?.getEntry('tenant')?.value;
      span.setAttribute('catalog.tenant', tenant ?? 'none');
      const ids = await lookupIndex(author);
      span.addEvent('catalog.hit', { count: ids.length });
      return ids.map((i) => BOOKS[i]);
    } catch (error) {
      span.recordException(error as Error);
      span.setStatus({ code: SpanStatusCode.ERROR, message: (error as Error).message });
      throw error;
    } finally {
      span.end();
    }
  });
}

/** A child span made the long way: startSpan, then context.with to make it active. */
async function lookupIndex(author: string): Promise<number[]> {
  const span = tracer.startSpan('catalog.index');
  return context.with(trace.setSpan(context.active(), span), async () => {
    await new Promise((resolve) => setTimeout(resolve, 1));
    span.end();
    return BOOKS.flatMap((book, i) => (book.author === author ? [i] : []));
  });
}
