import * as opentracing from 'opentracing';
import { runExistingInstrumentation } from '../../samples/existing-instrumentation';

describe('samples/existing-instrumentation.ts', () => {
  it("prints express-opentracing's spans, recorded through sextant, in the upstream trace", async () => {
    let output = '';
    await runExistingInstrumentation((text) => (output += text));

    expect(output).toContain('app answered: {"id":"1001","status":"shipped"}');
    const injected = /response traceparent .*: 00-0af7651916cd43dd8448eb211c80319c-([0-9a-f]{16})-01/.exec(output);
    expect(injected).not.toBeNull();
    expect(output).toMatch(/^trace 0af7651916cd43dd8448eb211c80319c · 2 spans/m);
    expect(output).toMatch(/^ {2}\/orders\/:id \(orders\)/m);
    expect(output).toMatch(/^ {2}└─ db\.load-order \(orders\)/m);
    expect(output).toContain('span.finish() called after finish()');
    // The sample puts the no-op tracer back when done.
    expect(opentracing.globalTracer().startSpan('x')).not.toHaveProperty('_spanContext');
  });
});
