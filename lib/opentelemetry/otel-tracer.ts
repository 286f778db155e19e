import * as api from '@opentelemetry/api';
import type { SpanReference } from '../recording/finished-span';
import { ActiveScope } from '../scope/active-scope';
import type { AsyncLocalScopeManager } from '../scope/async-local-scope-manager';
import { operationNameOf } from '../span';
import type { SpanOwner } from '../span';
import type { SpanContext } from '../span-context';
import { putField } from '../span-fields';
import type { TracerInternals } from '../tracer';
import { nowMillis } from '../util/clock';
import { describeError } from '../util/describe';
import { SPAN_KIND_TAG } from '../util/semantic-tags';
import { SPAN_KEY, SUPPRESS_TRACING_KEY } from './context-keys';
import type { SextantContextManager } from './context-manager';
import { linkReference, OtelSpan } from './otel-span';
import { timeInputToMillis } from './time-input';

/** What every OpenTelemetry tracer of one registration shares. */
export interface BridgeState {
  readonly internals: TracerInternals;
  /** the async-local store contexts live in: the tracer's, or the bridge's own beside a custom scope manager */
  readonly scopes: AsyncLocalScopeManager;
  readonly contextManager: SextantContextManager;
  /** false once the registration is disabled: tracers the API's proxies still hold then start no-op spans */
  enabled: boolean;
}

/** OpenTelemetry's `SpanKind` as OpenTracing's `span.kind` tag; INTERNAL (and anything else) has none. */
const KIND_TAGS: Record<number, string | undefined> = {
  [api.SpanKind.SERVER]: 'server',
  [api.SpanKind.CLIENT]: 'client',
  [api.SpanKind.PRODUCER]: 'producer',
  [api.SpanKind.CONSUMER]: 'consumer',
};

/** What a span is started in when tracing is suppressed or its options cannot be read: OpenTelemetry's own no-op span. */
const NON_RECORDING: api.Span = api.trace.wrapSpanContext(api.INVALID_SPAN_CONTEXT);

/**
 * An OpenTelemetry `Tracer` (one per instrumentation scope) whose spans are the sextant
 * tracer's: its sampler decides, its recorder records, and each record carries the scope.
 * The parent is the span of the given context (default: the active one, which OpenTracing
 * activations set too); `root: true` starts a new trace; a context with tracing suppressed
 * gets a non-recording span. Never throws.
 *
 *     const tracer = trace.getTracer('my-lib', '1.2.0');
 *     tracer.startActiveSpan('load', (span) => { ...; span.end(); });
 */
export class SextantOtelTracer implements api.Tracer {
  constructor(
    private readonly state: BridgeState,
    private readonly owner: SpanOwner,
  ) {}

  startSpan(name: string, options?: api.SpanOptions, context?: api.Context): api.Span {
    if (!this.state.enabled) return NON_RECORDING;
    return this.start(name, options, this.frameOf(context));
  }

  startActiveSpan<F extends (span: api.Span) => unknown>(name: string, fn: F): ReturnType<F>;
  startActiveSpan<F extends (span: api.Span) => unknown>(name: string, options: api.SpanOptions, fn: F): ReturnType<F>;
  startActiveSpan<F extends (span: api.Span) => unknown>(
    name: string,
    options: api.SpanOptions,
    context: api.Context,
    fn: F,
  ): ReturnType<F>;
  startActiveSpan<F extends (span: api.Span) => unknown>(name: string, a?: unknown, b?: unknown, c?: unknown): ReturnType<F> | undefined {
    let options: api.SpanOptions | undefined;
    let context: api.Context | undefined;
    let fn: unknown;
    if (arguments.length < 2) return undefined;
    if (arguments.length === 2) fn = a;
    else if (arguments.length === 3) {
      options = a as api.SpanOptions;
      fn = b;
    } else {
      options = a as api.SpanOptions;
      context = b as api.Context;
      fn = c;
    }
    if (typeof fn !== 'function') {
      this.state.internals.faults.warnOnce(
        'otel-start-active-span-fn',
        'OpenTelemetry startActiveSpan() was given no function; nothing started.',
      );
      return undefined;
    }
    if (!this.state.enabled) return (fn as (span: api.Span) => ReturnType<F>)(NON_RECORDING);
    const parent = this.frameOf(context);
    const span = this.start(name, options, parent);
    // The new frame's parent is the context it was started in: an OpenTracing `close()` of it goes back there.
    const frame =
      span instanceof OtelSpan ? new ActiveScope(span.span, false, parent, parent.values, span) : parent.setValue(SPAN_KEY, span);
    return this.state.scopes._runIn(frame, fn as (span: api.Span) => ReturnType<F>, undefined, [span]);
  }

  private frameOf(context: api.Context | undefined): ActiveScope {
    const manager = this.state.contextManager;
    return context === undefined ? manager.activeFrame() : manager.frameOf(context);
  }

  private start(name: unknown, options: api.SpanOptions | undefined, frame: ActiveScope): api.Span {
    const internals = this.state.internals;
    try {
      if (frame.values !== null && frame.getValue(SUPPRESS_TRACING_KEY) === true) return NON_RECORDING;
      let parent: SpanContext | null = null;
      if (options?.root !== true && frame.activeSpan !== null) parent = frame.activeSpan.context();
      let tags: Record<string, unknown> | undefined;
      let references: SpanReference[] | null = null;
      let startTime: number | undefined;
      if (options !== undefined && options !== null) {
        tags = tagsOf(options.attributes, options.kind);
        if (Array.isArray(options.links) && options.links.length > 0) references = referencesOf(options.links, parent);
        if (options.startTime !== undefined) startTime = timeInputToMillis(options.startTime);
      }
      const operationName = typeof name === 'string' ? name : operationNameOf(name, internals.faults);
      return new OtelSpan(internals.startSpan(this.owner, operationName, parent, references, tags, startTime ?? nowMillis()), true);
    } catch (error) {
      internals.faults.warnOnce('otel-start-span', `OpenTelemetry startSpan() failed: ${describeError(error)}; the span is non-recording.`);
      return NON_RECORDING;
    }
  }
}

/**
 * Attributes and kind as the span's first tags. Attributes without a value are left out,
 * as OpenTelemetry's SDK leaves them; the caller's object is copied, never kept.
 */
function tagsOf(attributes: api.SpanAttributes | undefined, kind: api.SpanKind | undefined): Record<string, unknown> | undefined {
  const kindTag = kind === undefined ? undefined : KIND_TAGS[kind];
  if ((attributes === undefined || attributes === null || typeof attributes !== 'object') && kindTag === undefined) return undefined;
  const tags: Record<string, unknown> = {};
  if (attributes !== undefined && attributes !== null && typeof attributes === 'object') {
    for (const key of Object.keys(attributes)) {
      const value = attributes[key];
      if (value === undefined || value === null) continue;
      putField(tags, key, value);
    }
  }
  if (kindTag !== undefined) tags[SPAN_KIND_TAG] = kindTag;
  return tags;
}

/** Links as `follows_from` references after the parent's `child_of`; null when no link is usable. */
function referencesOf(links: readonly unknown[], parent: SpanContext | null): SpanReference[] | null {
  const references: SpanReference[] = [];
  for (let i = 0; i < links.length; i++) {
    const reference = linkReference(links[i]);
    if (reference !== null) references.push(reference);
  }
  if (references.length === 0) return null;
  if (parent !== null) references.unshift({ type: 'child_of', traceId: parent.traceId, spanId: parent.spanId });
  return references;
}
