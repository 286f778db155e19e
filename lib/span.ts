import * as opentracing from 'opentracing';
import { nowMillis } from './util/clock';
import type { SpanContext } from './span-context';
import type { SpanLog, SpanReference } from './recording/finished-span';
import type { Tracer } from './tracer';

/** The OpenTracing tag that forces sampling on (> 0) or off (0). */
const SAMPLING_PRIORITY = 'sampling.priority';
const NO_TAGS: Record<string, unknown> = Object.freeze({}) as Record<string, unknown>;

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
  /** @internal tags set so far; `_ownsTags` is false while this is the caller's `tags` option */
  _tags: Record<string, unknown>;
  /** @internal */
  _ownsTags: boolean;
  /** @internal */
  _logs: SpanLog[] | null = null;
  /** @internal */
  _finished = false;

  /** @internal use `tracer.startSpan` */
  constructor(
    /** @internal */ readonly _tracerImpl: Tracer,
    /** @internal */ readonly _spanContext: SpanContext,
    /** @internal */ public _operationName: string,
    /** @internal */ readonly _startTime: number,
    /** @internal */ readonly _parent: SpanContext | null,
    /** @internal the references given in the options, or null to derive one from `_parent` */
    readonly _references: SpanReference[] | null,
    tags: Record<string, unknown> | undefined,
    ownsTags: boolean,
  ) {
    super();
    if (tags === undefined) {
      // Most spans get their tags later or never: share one frozen empty until the first setTag.
      this._tags = NO_TAGS;
      this._ownsTags = false;
    } else {
      // The caller's tags object is shared until the first setTag (copy on write).
      this._tags = tags;
      this._ownsTags = ownsTags;
    }
  }

  /** The span's context: ids, sampling decision and baggage. */
  context(): SpanContext {
    return this._spanContext;
  }

  /** The tracer that started this span. */
  tracer(): Tracer {
    return this._tracerImpl;
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
    this._operationName = this._tracerImpl._operationNameOf(name);
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
    if (key === SAMPLING_PRIORITY) this._tracerImpl._applySamplingPriority(this, value);
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
    this._tracerImpl._onFinish(this, typeof finishTime === 'number' ? finishTime : nowMillis());
  }

  private _copyTags(): void {
    this._tags = { ...this._tags };
    this._ownsTags = true;
  }

  private _misuse(method: string): this {
    this._tracerImpl._faults.warnOnce(
      `span.${method}-after-finish`,
      `span.${method}() called after finish() on '${this._operationName}'; ignored (reported once).`,
    );
    return this;
  }
}
