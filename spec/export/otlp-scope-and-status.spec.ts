/**
 * Spans started through @opentelemetry/api carry their instrumentation scope and their
 * OpenTelemetry status: the OTLP exporter writes the scope where OTLP has a place for it
 * (one ScopeSpans per scope) and the status as OTLP's, in protobuf and in JSON alike.
 */
import { BatchRecorder, OtlpHttpExporter } from '../../lib';
import type { FinishedSpan, OtlpHttpProtocol } from '../../lib';
import { Collector } from '../helpers/export-collector';
import { finishedSpan } from '../helpers/export-spans';
import { attributesOf, otlpRequestOf } from '../helpers/otlp-body';

const PROCESS = Object.freeze({ serviceName: 'svc', tags: Object.freeze({}) });
const GRAPHQL = Object.freeze({ name: '@opentelemetry/instrumentation-graphql', version: '0.71.0' });
const CATALOG = Object.freeze({ name: 'catalog' });

async function export_(protocol: OtlpHttpProtocol, spans: FinishedSpan[]): Promise<ReturnType<typeof otlpRequestOf>> {
  const collector = await Collector.start();
  try {
    const recorder = new BatchRecorder(new OtlpHttpExporter({ url: collector.url('/v1/traces'), protocol }));
    for (const span of spans) recorder.record(span);
    await recorder.close();
    expect(collector.requests).toHaveLength(1);
    return otlpRequestOf(collector.requests[0]);
  } finally {
    await collector.stop();
  }
}

describe.each(['http/protobuf', 'http/json'] as const)('OTLP %s', (protocol) => {
  it('groups spans by instrumentation scope: sextant for OpenTracing spans, name and version for OpenTelemetry tracers', async () => {
    const spans = [
      finishedSpan({ operationName: 'opentracing', process: PROCESS }),
      finishedSpan({ operationName: 'parse', process: PROCESS, scope: GRAPHQL }),
      finishedSpan({ operationName: 'load', process: PROCESS, scope: CATALOG }),
      finishedSpan({ operationName: 'execute', process: PROCESS, scope: GRAPHQL }),
    ];
    const request = await export_(protocol, spans);
    const byScope = request.resourceSpans.flatMap((rs) => rs.scopeSpans.map((ss) => [ss.scope, ss.spans.map((s) => s.name)] as const));
    expect(byScope).toEqual([
      [{ name: 'sextant' }, ['opentracing']],
      [{ name: GRAPHQL.name, version: GRAPHQL.version }, ['parse', 'execute']],
      [{ name: 'catalog' }, ['load']],
    ]);
    for (const rs of request.resourceSpans) expect(attributesOf(rs.resource.attributes)['service.name']).toEqual({ stringValue: 'svc' });
  });

  it('writes setStatus(OK) as status OK and setStatus(ERROR, message) with its message, not as attributes', async () => {
    const spans = [
      finishedSpan({ operationName: 'ok', tags: { 'otel.status_code': 'OK', keep: 1 } }),
      finishedSpan({
        operationName: 'failed',
        tags: { error: true, 'otel.status_description': 'backend down' },
        logs: [{ timestamp: 1_700_000_000_001, fields: { event: 'error', message: 'other text' } }],
      }),
      finishedSpan({
        operationName: 'plain-error',
        tags: { error: true },
        logs: [{ timestamp: 1_700_000_000_001, fields: { event: 'error', message: 'boom' } }],
      }),
    ];
    const request = await export_(protocol, spans);
    const byName = Object.fromEntries(
      request.resourceSpans.flatMap((rs) => rs.scopeSpans.flatMap((ss) => ss.spans.map((s) => [s.name, s]))),
    );
    expect(byName.ok.status.code).toBe(1);
    expect(Object.keys(attributesOf(byName.ok.attributes))).toEqual(['keep']);
    expect(byName.failed.status).toEqual({ code: 2, message: 'backend down' });
    expect(byName.failed.attributes ?? []).toEqual([]);
    expect(byName['plain-error'].status).toEqual({ code: 2, message: 'boom' });
  });

  it('counts the fields a log dropped as the event’s droppedAttributesCount', async () => {
    const spans = [finishedSpan({ logs: [{ timestamp: 1_700_000_000_001, fields: { event: 'big', a: 1 }, droppedFields: 7 }] })];
    const request = await export_(protocol, spans);
    expect(request.resourceSpans[0].scopeSpans[0].spans[0].events[0].droppedAttributesCount).toBe(7);
  });
});
