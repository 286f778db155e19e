import * as opentracing from 'opentracing';
import { finishedSpan } from './recording/finished-span';
import type { FinishedSpan, InstrumentationScope, SpanLog, SpanProcess, SpanReference } from './recording/finished-span';
import type { SpanContext } from './span-context';
import { nowMillis } from './util/clock';
import type { FaultLogger } from './util/fault-logger';
import { SAMPLING_PRIORITY_TAG, samplingPriorityDecision } from './util/semantic-tags';

const NO_TAGS: Record<string, unknown> = Object.freeze({}) as Record<string, unknown>;

/**
 * The tracer `span.tracer()` returns: sextant's `Tracer`. tracer.ts fills this interface
 * in by declaration merging, so that span.ts need not import tracer.ts (which imports it).
 */
// eslint-disable-next-line @typescript-eslint/no-empty-object-type
export interface SpanTracer {}

/**
 * What a span needs from the tracer that started it: where faults go, and where its
 * record goes when it finishes. The tracer hands each span one shared instance.
 */
export interface SpanOwner {
  readonly tracer: SpanTracer;
  readonly serviceName: string;
  /** the tracer's service and process tags, shared by every span it records */
  readonly process: SpanProcess;
  readonly faults: FaultLogger;
  /** the OpenTelemetry instrumentation scope of spans started through `sextant/opentelemetry`; absent otherwise */
  readonly scope?: InstrumentationScope;
  /** whether finished, sampled spans are recorded (false with no recorder or after close) */
  isRecording(): boolean;
  /** takes a finished, sampled span; never throws */
  record(span: FinishedSpan): void;
}

/** What a span starts with, by name. */
export interface SpanStart {
  context: SpanContext;
  operationName: string;
  /** ms since the Unix epoch */
  startTime: number;
  /** the parent's context, or null for a root */
  parent: SpanContext | null;
  /** the references given in the options, or null to derive one from `parent` */
  references: SpanReference[] | null;
  /** the caller's `tags` option, or sampler tags merged with it; undefined for none */
  tags: Record<string, unknown> | undefined;
  /** whether `tags` is the span's own copy (else it is shared until the first `setTag`) */
  ownsTags: boolean;
}

/**
 * An operation name as a string: non-strings are coerced (`'unnamed'` for null and
 * undefined) and reported once.
 */
export function operationNameOf(name: unknown, faults: FaultLogger): string {
  if (typeof name === 'string') return name;
  faults.warnOnce('operation-name-type', `operation name must be a string, got ${typeof name}; coerced.`);
  if (name === null || name === undefined) return 'unnamed';
  try {
    return String(name);
  } catch {
    return 'unnamed';
  }
}

/**
 * A timed, named unit of work. Create spans with `tracer.startSpan` or
 * `tracer.startActiveSpan`, never with `new`.
 *
 * Misuse is harmless and reported once per kind through the tracer's logger:
 * `finish()` a second time does nothing; `setTag`, `addTags`, `log`,
 * `setOperationName` and `setBaggageItem` after `finish()` are ignored.
 *
 *     const span = tracer.startSpan('load-user', { tags: { 'user.id': 42 } });
 *     span.log({ event: 'cache-miss' });
 *     span.finish();
 */
export class Span extends opentracing.Span {
  private readonly _owner: SpanOwner;
  private readonly _spanContext: SpanContext;
  private _operationName: string;
  private readonly _startTime: number;
  private readonly _parent: SpanContext | null;
  private _references: SpanReference[] | null;
  /** tags set so far; `_ownsTags` is false while this is shared (the caller's `tags` option) */
  private _tags: Record<string, unknown>;
  private _ownsTags: boolean;
  private _logs: SpanLog[] | null = null;
  private _finished = false;

  /** @internal use `tracer.startSpan` */
  constructor(owner: SpanOwner, start: SpanStart) {
    super();
    this._owner = owner;
    this._spanContext = start.context;
    this._operationName = start.operationName;
    this._startTime = start.startTime;
    this._parent = start.parent;
    this._references = start.references;
    if (start.tags === undefined) {
      // Most spans get their tags later or never: share one frozen empty until the first setTag.
      this._tags = NO_TAGS;
      this._ownsTags = false;
    } else {
      // The caller's tags object is shared until the first setTag (copy on write).
      this._tags = start.tags;
      this._ownsTags = start.ownsTags;
      const priority = start.tags[SAMPLING_PRIORITY_TAG];
      if (priority !== undefined) this._applySamplingPriority(priority);
    }
  }

  /** The span's context: ids, sampling decision and baggage. */
  context(): SpanContext {
    return this._spanContext;
  }

  /** The tracer that started this span. */
  tracer(): SpanTracer {
    return this._owner.tracer;
  }

  /** Whether `finish()` was called. */
  isFinished(): boolean {
    return this._finished;
  }

  /** The operation name as it stands now. */
  operationName(): string {
    return this._operationName;
  }

  /**
   * Renames the span, e.g. once the route that matched is known.
   *
   *     span.setOperationName('GET /users/:id');
   */
  setOperationName(name: string): this {
    if (this._finished) return this._misuse('setOperationName');
    this._operationName = operationNameOf(name, this._owner.faults);
    return this;
  }

  /**
   * Sets one tag; a later value for the same key replaces the earlier one.
   *
   *     span.setTag('http.status_code', 200);
   */
  setTag(key: string, value: unknown): this {
    if (this._finished) return this._misuse('setTag');
    if (!this._ownsTags) this._copyTags();
    if (key === '__proto__') {
      Object.defineProperty(this._tags, key, { value, enumerable: true, writable: true, configurable: true });
    } else {
      this._tags[key] = value;
    }
    if (key === SAMPLING_PRIORITY_TAG) this._applySamplingPriority(value);
    return this;
  }

  /**
   * Sets several tags at once.
   *
   *     span.addTags({ 'db.type': 'sql', 'db.instance': 'users' });
   */
  addTags(keyValueMap: { [key: string]: unknown }): this {
    if (this._finished) return this._misuse('addTags');
    if (keyValueMap === null || typeof keyValueMap !== 'object') return this;
    for (const key of Object.keys(keyValueMap)) this.setTag(key, keyValueMap[key]);
    return this;
  }

  /**
   * Records a timestamped event on the span.
   *
   *     span.log({ event: 'retry', attempt: 2 });
   *
   * @param timestamp ms since the Unix epoch; default now.
   */
  log(keyValuePairs: { [key: string]: unknown }, timestamp?: number): this {
    if (this._finished) return this._misuse('log');
    const fields = keyValuePairs !== null && typeof keyValuePairs === 'object' ? { ...keyValuePairs } : {};
    const entry: SpanLog = { timestamp: typeof timestamp === 'number' ? timestamp : nowMillis(), fields };
    if (this._logs === null) this._logs = [entry];
    else this._logs.push(entry);
    return this;
  }

  /** @deprecated in OpenTracing; use `log({ event, payload })`. */
  logEvent(eventName: string, payLoad?: unknown): void {
    this.log(payLoad === undefined ? { event: eventName } : { event: eventName, payload: payLoad });
  }

  /**
   * Sets a baggage item: it travels with the trace to every span started afterwards
   * from this one, in this process and downstream.
   *
   *     span.setBaggageItem('tenant', 'acme');
   */
  setBaggageItem(key: string, value: string): this {
    if (this._finished) return this._misuse('setBaggageItem');
    const ctx = this._spanContext;
    // Replace, never mutate: children started earlier keep the baggage they were born with.
    ctx.baggage = { ...ctx.baggage, [String(key)]: String(value) };
    return this;
  }

  /** The baggage item for `key`, or undefined. */
  getBaggageItem(key: string): string | undefined {
    const baggage = this._spanContext.baggage;
    return Object.prototype.hasOwnProperty.call(baggage, key) ? baggage[key] : undefined;
  }

  /**
   * Ends the span and hands it to the recorder if it is sampled. A second call does nothing.
   *
   * @param finishTime ms since the Unix epoch; default now.
   */
  finish(finishTime?: number): void {
    if (this._finished) {
      this._misuse('finish');
      return;
    }
    this._finished = true;
    const context = this._spanContext;
    const owner = this._owner;
    if (!context.sampled || !owner.isRecording()) return;
    owner.record(
      finishedSpan({
        traceId: context.traceId,
        spanId: context.spanId,
        parentSpanId: this._parent === null ? undefined : this._parent.spanId,
        operationName: this._operationName,
        serviceName: owner.serviceName,
        startTime: this._startTime,
        finishTime: typeof finishTime === 'number' ? finishTime : nowMillis(),
        tags: this._tags,
        logs: this._logs,
        references: this._references,
        baggage: context.baggage,
        process: owner.process,
        dropped: undefined,
        scope: owner.scope,
      }),
    );
  }

  /**
   * @internal A reference added after the start: OpenTelemetry's `addLink`, recorded as a
   * `follows_from` reference beside the parent's `child_of`.
   */
  _addReference(reference: SpanReference): this {
    if (this._finished) return this._misuse('addLink');
    const parent = this._parent;
    const current: SpanReference[] =
      this._references ?? (parent === null ? [] : [{ type: 'child_of', traceId: parent.traceId, spanId: parent.spanId }]);
    // Copied, not pushed: the list given at the start may be shared.
    this._references = [...current, reference];
    return this;
  }

  private _applySamplingPriority(value: unknown): void {
    const sampled = samplingPriorityDecision(value);
    if (sampled !== undefined) this._spanContext.sampled = sampled;
  }

  private _copyTags(): void {
    this._tags = { ...this._tags };
    this._ownsTags = true;
  }

  private _misuse(method: string): this {
    this._owner.faults.warnOnce(
      `span.${method}-after-finish`,
      `span.${method}() called after finish() on '${this._operationName}'; ignored (reported once).`,
    );
    return this;
  }
}
