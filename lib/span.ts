import * as opentracing from 'opentracing';
import { finishedSpan } from './recording/finished-span';
import type { DroppedCounts, FinishedSpan, InstrumentationScope, SpanLog, SpanProcess, SpanReference } from './recording/finished-span';
import type { SpanContext } from './span-context';
import { copyFields, copyTags, limitValue, logRecord, putField } from './span-fields';
import type { ResolvedSpanLimits } from './span-limits';
import { nowMillis } from './util/clock';
import { describeError } from './util/describe';
import type { FaultLogger } from './util/fault-logger';
import { SAMPLING_PRIORITY_TAG, samplingPriorityDecision } from './util/semantic-tags';

const NO_TAGS: Record<string, unknown> = Object.freeze({}) as Record<string, unknown>;

/** `_tagBound` once the span holds `maxTags` keys: new keys are dropped without counting again. */
const TAGS_FULL = Number.MAX_SAFE_INTEGER;

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
  /** the tracer's span limits, resolved once */
  readonly limits: ResolvedSpanLimits;
  /**
   * whether finished, sampled spans are recorded (false with no recorder or after close);
   * asked only when a sampled span finishes, so it can say once that nothing is recorded
   */
  isRecording(): boolean;
  /** takes a finished, sampled span; never throws */
  record(span: FinishedSpan): void;
  /** says, once per kind of limit, that a span went past it; never throws */
  reportDropped(operationName: string, dropped: SpanDropped): void;
}

/** What a span's limits left out, as `reportDropped` hears it. */
export interface SpanDropped extends DroppedCounts {
  /** log fields past `maxLogFields` (or unreadable), over all the span's logs */
  logFields: number;
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
  /** references past `maxReferences`, left out of `references` */
  droppedReferences: number;
  /** the caller's `tags` option, or sampler tags merged with it; undefined for none. Not trusted */
  tags: object | undefined;
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

/** The record's `dropped`: only when tags, logs or references were (log fields are counted on their log). */
function droppedCounts(dropped: SpanDropped | null): DroppedCounts | undefined {
  if (dropped === null || dropped.tags + dropped.logs + dropped.references === 0) return undefined;
  return { tags: dropped.tags, logs: dropped.logs, references: dropped.references };
}

/**
 * A tag or baggage key as a string: other values are coerced with `String` (a Symbol
 * gives `Symbol(description)`); undefined, after a report, when that throws.
 */
function keyOf(key: unknown, faults: FaultLogger, method: string): string | undefined {
  try {
    return String(key);
  } catch (error) {
    faults.warnOnce(
      `span.${method}-key`,
      `span.${method}() was given a key that cannot be made a string (${describeError(error)}); ignored.`,
    );
    return undefined;
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
  /**
   * At least the number of distinct keys in `_tags` (a `setTag` of a key already there
   * counts too). While it is under `maxTags`, a `setTag` needs no look-up; once it reaches
   * it, keys are counted exactly and new ones dropped.
   */
  private _tagBound: number;
  private _logs: SpanLog[] | null = null;
  /** what the limits left out; null (the common case) until something is */
  private _dropped: SpanDropped | null = null;
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
    if (start.droppedReferences > 0) this._droppedCounts().references = start.droppedReferences;
    const tags = start.tags;
    if (tags === undefined) {
      // Most spans get their tags later or never: share one frozen empty until the first setTag.
      this._tags = NO_TAGS;
      this._ownsTags = false;
      this._tagBound = 0;
      return;
    }
    // Within the limits the caller's object is shared until the first setTag (copy on write),
    // else copied now. Object.keys is the cheapest exact count V8 has for a small literal.
    const limits = owner.limits;
    let count: number;
    let priority: unknown;
    try {
      count = Object.keys(tags).length;
      priority = (tags as Record<string, unknown>)[SAMPLING_PRIORITY_TAG];
    } catch {
      count = Infinity;
      priority = undefined;
    }
    if (count <= limits.maxTags && !limits.cutsValues) {
      this._tags = tags as Record<string, unknown>;
      this._ownsTags = start.ownsTags;
      this._tagBound = count;
    } else {
      const copied = copyTags(tags, limits);
      this._tags = copied.tags;
      this._ownsTags = true;
      this._tagBound = copied.count;
      if (copied.dropped > 0) this._droppedCounts().tags += copied.dropped;
      if (copied.unreadable > 0) this._unreadable('tags');
    }
    if (priority !== undefined) this._applySamplingPriority(priority);
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
    if (typeof key !== 'string') {
      const coerced = keyOf(key, this._owner.faults, 'setTag');
      if (coerced === undefined) return this;
      key = coerced;
    }
    if (key === SAMPLING_PRIORITY_TAG) this._applySamplingPriority(value);
    const limits = this._owner.limits;
    if (limits.cutsValues) value = this._limitValue(value, limits.maxValueLength);
    if (!this._ownsTags) this._copyTags();
    if (this._tagBound < limits.maxTags) {
      this._tagBound++;
      // The store stays here, not in putField: its inline cache then sees only span tag objects.
      if (key === '__proto__') putField(this._tags, key, value);
      else this._tags[key] = value;
    } else {
      this._setTagAtLimit(key, value, limits.maxTags);
    }
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
    try {
      for (const key in keyValueMap) {
        if (!Object.prototype.hasOwnProperty.call(keyValueMap, key)) continue;
        let value: unknown;
        try {
          value = keyValueMap[key];
        } catch {
          this._unreadable('tags');
          continue;
        }
        this.setTag(key, value);
      }
    } catch {
      this._unreadable('tags');
    }
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
    const limits = this._owner.limits;
    const logs = this._logs;
    if ((logs === null ? 0 : logs.length) >= limits.maxLogs) {
      this._droppedCounts().logs++;
      return this;
    }
    const entry = logRecord(keyValuePairs, typeof timestamp === 'number' && Number.isFinite(timestamp) ? timestamp : nowMillis(), limits);
    if (entry.droppedFields !== undefined) this._droppedCounts().logFields += entry.droppedFields;
    if (logs === null) this._logs = [entry];
    else logs.push(entry);
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
    const textKey = typeof key === 'string' ? key : keyOf(key, this._owner.faults, 'setBaggageItem');
    if (textKey === undefined) return this;
    try {
      // Copy on write (see SpanContext): children started earlier keep the baggage they were born with.
      this._spanContext._setBaggageItem(textKey, typeof value === 'string' ? value : String(value));
    } catch (error) {
      this._owner.faults.warnOnce(
        'span.setBaggageItem-value',
        `span.setBaggageItem() could not use its value (${describeError(error)}); ignored.`,
      );
    }
    return this;
  }

  /**
   * The baggage item for `key`, or undefined.
   *
   *     span.getBaggageItem('tenant'); // 'acme'
   */
  getBaggageItem(key: string): string | undefined {
    try {
      return this._spanContext._baggageItem(key);
    } catch {
      // A key whose toString throws names no item.
      return undefined;
    }
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
    const dropped = this._dropped;
    if (dropped !== null) owner.reportDropped(this._operationName, dropped);
    owner.record(
      finishedSpan({
        traceId: context.traceId,
        spanId: context.spanId,
        parentSpanId: this._parent === null ? undefined : this._parent.spanId,
        operationName: this._operationName,
        serviceName: owner.serviceName,
        startTime: this._startTime,
        finishTime: typeof finishTime === 'number' && Number.isFinite(finishTime) ? finishTime : nowMillis(),
        tags: this._tags,
        logs: this._logs,
        references: this._references,
        baggage: context.baggage,
        process: owner.process,
        dropped: droppedCounts(dropped),
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
    // The same bound as references given at the start: the first ones are kept.
    if (current.length >= this._owner.limits.maxReferences) {
      this._droppedCounts().references++;
      return this;
    }
    // Copied, not pushed: the list given at the start may be shared.
    this._references = [...current, reference];
    return this;
  }

  private _applySamplingPriority(value: unknown): void {
    const sampled = samplingPriorityDecision(value);
    if (sampled !== undefined) this._spanContext.sampled = sampled;
  }

  private _copyTags(): void {
    try {
      this._tags = copyFields({}, this._tags);
    } catch {
      // The caller's object turned hostile after startSpan (a revoked Proxy): start afresh.
      this._tags = {};
      this._tagBound = 0;
      this._unreadable('tags');
    }
    this._ownsTags = true;
  }

  /** `setTag` once the span may hold `maxTags` keys: count exactly, keep existing keys settable. */
  private _setTagAtLimit(key: string, value: unknown, maxTags: number): void {
    const tags = this._tags;
    if (Object.prototype.hasOwnProperty.call(tags, key)) {
      putField(tags, key, value);
      return;
    }
    if (this._tagBound !== TAGS_FULL) {
      // The bound counted overwrites too: count once; a span gains keys, never loses them.
      let count = 0;
      for (const existing in tags) if (Object.prototype.hasOwnProperty.call(tags, existing)) count++;
      if (count < maxTags) {
        this._tagBound = count + 1;
        putField(tags, key, value);
        return;
      }
      this._tagBound = TAGS_FULL;
    }
    this._droppedCounts().tags++;
  }

  private _limitValue(value: unknown, maxLength: number): unknown {
    try {
      return limitValue(value, maxLength);
    } catch {
      // A revoked Proxy cannot be looked into; the exporter encodes what it can of it.
      return value;
    }
  }

  private _droppedCounts(): SpanDropped {
    return (this._dropped ??= { tags: 0, logs: 0, references: 0, logFields: 0 });
  }

  private _unreadable(what: string): void {
    this._owner.faults.warnOnce(
      `span-unreadable-${what}`,
      `a getter or Proxy trap threw while reading the ${what} given to span '${this._operationName}'; what could not be read was left out (reported once).`,
    );
  }

  private _misuse(method: string): this {
    this._owner.faults.warnOnce(
      `span.${method}-after-finish`,
      `span.${method}() called after finish() on '${this._operationName}'; ignored (reported once).`,
    );
    return this;
  }
}
