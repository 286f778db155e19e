/**
 * sextant as the global OpenTracing tracer: code (yours, or an instrumentation
 * library's) that only knows `opentracing.globalTracer()` records through sextant.
 *
 *     npx ts-node --transpile-only samples/global-tracer.ts
 */
import * as opentracing from 'opentracing';
import { ConsoleRecorder, Tracer } from '../lib';

const tracer = new Tracer({ serviceName: 'billing', recorder: new ConsoleRecorder() });
opentracing.initGlobalTracer(tracer);

// Library code: knows nothing about sextant.
function chargeCard(amountCents: number): void {
  const span = opentracing.globalTracer().startSpan('charge-card', { tags: { 'amount.cents': amountCents } });
  const headers: Record<string, string> = {};
  opentracing.globalTracer().inject(span, opentracing.FORMAT_HTTP_HEADERS, headers);
  span.log({ event: 'request-sent', traceparent: headers.traceparent });
  span.finish();
}

// Application code: the global tracer's delegate forwards startSpan, inject and extract;
// the scope helpers (startActiveSpan, activeSpan) need the Tracer instance itself.
tracer.startActiveSpan('checkout', (span) => {
  span.setTag('cart.items', 3);
  chargeCard(4200); // becomes a child of 'checkout': the active span is its parent
});

void tracer.close();
