/** One log record of a span: when, and what. */
export interface SpanLog {
  /** ms since the Unix epoch */
  timestamp: number;
  fields: Record<string, unknown>;
  /**
   * fields left out of this log by `limits.maxLogFields` (or unreadable: a getter that
   * threw); present only when some were. OTLP: the event's `droppedAttributesCount`
   */
  droppedFields?: number;
}

/** A causal link recorded on a span (OpenTracing references). */
export interface SpanReference {
  type: 'child_of' | 'follows_from';
  traceId: string;
  spanId: string;
}

/** The tracer a span came from: one shared, frozen object per tracer. */
export interface SpanProcess {
  serviceName: string;
  /** process-wide tags (`TracerOptions.tags`, `OTEL_RESOURCE_ATTRIBUTES`): OTLP resource attributes */
  tags: Readonly<Record<string, unknown>>;
}

/**
 * The OpenTelemetry instrumentation that started a span through `@opentelemetry/api`
 * (`trace.getTracer(name, version)`): the OTLP `scope` its span is exported under.
 */
export interface InstrumentationScope {
  name: string;
  version?: string;
}

/**
 * How many items per-span limits dropped (`TracerOptions.limits`). OTLP:
 * `droppedAttributesCount`, `droppedEventsCount`, `droppedLinksCount`.
 */
export interface DroppedCounts {
  /** tags past `maxTags` (new keys; setting a key the span has still works) */
  tags: number;
  /** logs past `maxLogs` */
  logs: number;
  /** references past `maxReferences` */
  references: number;
}

/**
 * A finished, sampled span as handed to a `Recorder`: plain data, no methods.
 * The recorder owns it from then on; the tracer never changes it again.
 */
export interface FinishedSpan {
  /** 32 lowercase hex */
  traceId: string;
  /** 16 lowercase hex */
  spanId: string;
  /** 16 lowercase hex, absent on a root span */
  parentSpanId?: string;
  operationName: string;
  serviceName: string;
  /** ms since the Unix epoch, sub-millisecond precision */
  startTime: number;
  /** ms */
  duration: number;
  tags: Record<string, unknown>;
  logs: SpanLog[];
  references: SpanReference[];
  baggage: Record<string, string>;
  /**
   * the tracer's service and process-wide tags; one shared object per tracer, so any
   * recorder, even one a user composes, can export `service.version` and friends
   */
  process: SpanProcess;
  /** present only when a limit dropped something */
  dropped?: DroppedCounts;
  /**
   * present only on spans started through `@opentelemetry/api` (`sextant/opentelemetry`):
   * the tracer's name and version; one shared, frozen object per OpenTelemetry tracer
   */
  scope?: InstrumentationScope;
}

/** Everything a finished span is made from, by name. */
export interface FinishedSpanParts {
  traceId: string;
  spanId: string;
  /** the parent's span id, or undefined for a root */
  parentSpanId: string | undefined;
  operationName: string;
  serviceName: string;
  startTime: number;
  /** ms since the Unix epoch; a finish before the start counts as a zero duration */
  finishTime: number;
  tags: Record<string, unknown>;
  /** null when the span logged nothing */
  logs: SpanLog[] | null;
  /** null to derive them from the parent: one `child_of`, or none for a root */
  references: SpanReference[] | null;
  baggage: Readonly<Record<string, string>>;
  process: SpanProcess;
  /** undefined when no limit dropped anything */
  dropped: DroppedCounts | undefined;
  /** the OpenTelemetry instrumentation scope; undefined for spans started through OpenTracing */
  scope?: InstrumentationScope;
}

const NO_REFERENCES: SpanReference[] = Object.freeze([]) as unknown as SpanReference[];
const NO_LOGS: SpanLog[] = Object.freeze([]) as unknown as SpanLog[];

/**
 * The record a recorder receives for a finished span. `parentSpanId` is absent (not
 * undefined) on a root; spans that logged or referenced nothing share frozen empty lists.
 *
 *     recorder.record(finishedSpan({ traceId, spanId, parentSpanId: undefined, ... }));
 */
export function finishedSpan(parts: FinishedSpanParts): FinishedSpan {
  let duration = parts.finishTime - parts.startTime;
  if (!(duration >= 0)) duration = 0;
  const parentSpanId = parts.parentSpanId;
  const references =
    parts.references ?? (parentSpanId === undefined ? NO_REFERENCES : [{ type: 'child_of', traceId: parts.traceId, spanId: parentSpanId }]);
  // Two literals, not one plus an added property: a property added after the literal is
  // stored outside the object, ~30 more bytes for every queued child span.
  const record: FinishedSpan =
    parentSpanId === undefined
      ? {
          traceId: parts.traceId,
          spanId: parts.spanId,
          operationName: parts.operationName,
          serviceName: parts.serviceName,
          startTime: parts.startTime,
          duration,
          tags: parts.tags,
          logs: parts.logs ?? NO_LOGS,
          references,
          baggage: parts.baggage as Record<string, string>,
          process: parts.process,
        }
      : {
          traceId: parts.traceId,
          spanId: parts.spanId,
          parentSpanId,
          operationName: parts.operationName,
          serviceName: parts.serviceName,
          startTime: parts.startTime,
          duration,
          tags: parts.tags,
          logs: parts.logs ?? NO_LOGS,
          references,
          baggage: parts.baggage as Record<string, string>,
          process: parts.process,
        };
  if (parts.dropped !== undefined) record.dropped = parts.dropped;
  if (parts.scope !== undefined) record.scope = parts.scope;
  return record;
}
