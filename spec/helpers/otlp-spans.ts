import type { Collector } from './export-collector';

/** One span as a collector received it over OTLP/JSON, attributes flattened. */
export interface ExportedSpan {
  service: string;
  traceId: string;
  spanId: string;
  /** '' for a root */
  parentSpanId: string;
  name: string;
  /** OTLP SpanKind: 1 internal, 2 server, 3 client */
  kind: number;
  attributes: Record<string, unknown>;
  events: { name: string; attributes: Record<string, unknown> }[];
  /** OTLP status code: 0 unset, 2 error */
  status: number;
}

type Attribute = { key: string; value: Record<string, unknown> };
type WireSpan = Omit<ExportedSpan, 'attributes' | 'service' | 'events' | 'status' | 'parentSpanId'> & {
  parentSpanId?: string;
  attributes: Attribute[];
  events?: { name: string; attributes: Attribute[] }[];
  status?: { code?: number };
};
type Body = { resourceSpans: { resource: { attributes: Attribute[] }; scopeSpans: { spans: WireSpan[] }[] }[] };

/** `{ key, value: { intValue: '200' } }` → `{ key: 200 }` (OTLP/JSON writes 64-bit integers as strings). */
const flat = (attributes: Attribute[]): Record<string, unknown> =>
  Object.fromEntries(attributes.map((a) => [a.key, 'intValue' in a.value ? Number(a.value.intValue) : Object.values(a.value)[0]]));

/** Every span the collector received (OTLP/JSON bodies), flattened, in order of arrival. */
export function exportedSpans(collector: Collector): ExportedSpan[] {
  return collector.requests.flatMap((request) =>
    (request.json as Body).resourceSpans.flatMap((rs) =>
      rs.scopeSpans.flatMap((ss) =>
        ss.spans.map((s) => ({
          ...s,
          service: String(flat(rs.resource.attributes)['service.name']),
          parentSpanId: s.parentSpanId ?? '',
          attributes: flat(s.attributes),
          events: (s.events ?? []).map((e) => ({ name: e.name, attributes: flat(e.attributes) })),
          status: s.status?.code ?? 0,
        })),
      ),
    ),
  );
}

/** `span` and its descendants' names as paths from it: `['GET /x', 'GET /x > db', ...]`, sorted. */
export function spanTree(spans: ExportedSpan[], root: ExportedSpan): string[] {
  const paths: string[] = [];
  const walk = (span: ExportedSpan, prefix: string): void => {
    const path = prefix === '' ? span.name : `${prefix} > ${span.name}`;
    paths.push(path);
    for (const child of spans.filter((s) => s.parentSpanId === span.spanId && s.traceId === span.traceId)) walk(child, path);
  };
  walk(root, '');
  return paths.sort();
}
