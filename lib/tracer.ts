import * as opentracing from 'opentracing';
import { resolveReferences, toSpanContext } from './foreign-context';
import { validateTracerOptions } from './options';
import type { ActiveSpanOptions, StartSpanOptions, TracerOptions } from './options';
import { DEFAULT_PROPAGATION } from './propagation/propagation-name';
import { Propagator } from './propagation/propagator';
import type { FinishedSpan, InstrumentationScope, SpanProcess, SpanReference } from './recording/finished-span';
import type { Recorder } from './recording/recorder';
import { ConstSampler } from './sampling/const-sampler';
import { ParentBasedSampler } from './sampling/parent-based-sampler';
import type { Sampler, SamplingDecision } from './sampling/sampler';
import { AsyncLocalScopeManager } from './scope/async-local-scope-manager';
import type { ScopeManager } from './scope/scope-manager';
import { operationNameOf, Span } from './span';
import type { SpanOwner } from './span';
import { SpanContext } from './span-context';
import { nowMillis } from './util/clock';
import { describeError } from './util/describe';
import { FaultLogger } from './util/fault-logger';
import { randomSpanId, randomTraceId } from './util/ids';

declare module './span' {
  // Gives `span.tracer()` sextant's Tracer type without span.ts importing this file.
  // eslint-disable-next-line @typescript-eslint/no-empty-object-type
  interface SpanTracer extends Tracer {}
}

/**
 * What `sextant/opentelemetry` builds on (lib/opentelemetry/). Not public API: the package
 * entry does not export it; it is in the declarations only because the subpath's are.
 * One object per tracer, made on first use.
 */
export interface TracerInternals {
  /** the tracer's scope manager when it is the default, async-local one; else null */
  readonly scopes: AsyncLocalScopeManager | null;
  readonly propagator: Propagator;
  readonly faults: FaultLogger;
  /** an owner like the tracer's own, whose records carry `scope` */
  ownerFor(scope: InstrumentationScope): SpanOwner;
  /** starts a span whose parent and references are already resolved: no active-span lookup */
  startSpan(
    owner: SpanOwner,
    operationName: string,
    parent: SpanContext | null,
    references: SpanReference[] | null,
    tags: Record<string, unknown> | undefined,
    startTime: number,
  ): Span;
  /** a span that stands for `context` (a remote or foreign parent) and records nothing */
  standIn(context: SpanContext): Span;
}

const DEBUG_SAMPLED: SamplingDecision = Object.freeze({ sampled: true });
const SAMPLER_FAILED: SamplingDecision = Object.freeze({ sampled: false });

/**
 * An OpenTracing 0.14 tracer. Drop it in wherever a tracer goes:
 *
 *     const tracer = new Tracer({ serviceName: 'checkout', recorder: new ConsoleRecorder() });
 *     opentracing.initGlobalTracer(tracer);
 *
 * `inject`, `extract`, `flush` and `close` never throw. Misuse (an unknown format, a
 * span finished twice) is reported once per kind through `TracerOptions.logger`.
 */
export class Tracer extends opentracing.Tracer {
  /** @internal reports this tracer's faults once per kind; the middleware reports through it too */
  readonly _faults: FaultLogger;
  private readonly _serviceName: string;
  private readonly _recorder: Recorder | null;
  private readonly _sampler: Sampler;
  private readonly _scopes: ScopeManager;
  /** the default scope manager, when in use: lets startActiveSpan skip a closure */
  private readonly _asyncLocalScopes: AsyncLocalScopeManager | null;
  private readonly _propagator: Propagator;
  /** what every span of this tracer reports to; one object shared by all of them */
  private readonly _spanOwner: SpanOwner;
  private _closed = false;
  private _internalsView: TracerInternals | null = null;

  constructor(options: TracerOptions) {
    super();
    validateTracerOptions(options);
    this._serviceName = options.serviceName;
    this._faults = new FaultLogger(options.logger ?? console);
    this._recorder = options.recorder ?? null;
    this._sampler = options.sampler ?? new ParentBasedSampler(new ConstSampler(true));
    this._scopes = options.scopeManager ?? new AsyncLocalScopeManager();
    this._asyncLocalScopes = this._scopes instanceof AsyncLocalScopeManager ? this._scopes : null;
    this._propagator = new Propagator(options.propagation ?? DEFAULT_PROPAGATION);
    const processTags = Object.freeze({ ...(options.tags ?? {}) });
    this._spanOwner = this._makeSpanOwner(Object.freeze({ serviceName: this._serviceName, tags: processTags }));
    if (this._recorder !== null && typeof this._recorder.attach === 'function') {
      try {
        this._recorder.attach({ serviceName: this._serviceName, tags: processTags, logger: this._faults });
      } catch (error) {
        this._faults.warnOnce('recorder-attach', `recorder.attach() threw: ${describeError(error)}`);
      }
    }
  }

  /**
   * Starts a span. Its parent is `childOf`, else the first `child_of` reference, else
   * the first reference, else the active span (unless `ignoreActiveSpan`). `childOf: null`
   * means "not given", like `undefined`; a root despite an active span is
   * `ignoreActiveSpan: true`. The options object is never modified.
   *
   *     const span = tracer.startSpan('query', { tags: { 'db.type': 'sql' } });
   */
  startSpan(name: string, options?: StartSpanOptions): Span {
    const operationName = typeof name === 'string' ? name : operationNameOf(name, this._faults);
    let parent: SpanContext | null = null;
    let references: SpanReference[] | null = null;
    let useActive = true;
    let tags: Record<string, unknown> | undefined;
    let startTime: number | undefined;
    if (options !== undefined && options !== null) {
      const childOf = options.childOf;
      // null is "not given", as OpenTracing's other APIs read it: instrumentation passes
      // `childOf: tracer.extract(...)`, which is null when no header came.
      if (childOf !== undefined && childOf !== null) {
        useActive = false;
        parent = toSpanContext(childOf);
      }
      if (Array.isArray(options.references) && options.references.length > 0) {
        const resolved = resolveReferences(options.references);
        if (resolved.length > 0) {
          useActive = false;
          references = resolved.map((r) => r.reference);
          if (parent === null) {
            parent = (resolved.find((r) => r.reference.type === 'child_of') ?? resolved[0]).context;
          } else {
            references.unshift({ type: 'child_of', traceId: parent.traceId, spanId: parent.spanId });
          }
        }
      }
      if (options.ignoreActiveSpan === true) useActive = false;
      if (options.tags !== null && typeof options.tags === 'object') tags = options.tags;
      if (typeof options.startTime === 'number' && Number.isFinite(options.startTime)) startTime = options.startTime;
    }
    if (useActive) {
      const active = this._scopes.active();
      if (active !== null) parent = active.span().context();
    }
    return this._createSpan(operationName, parent, references, tags, startTime ?? nowMillis(), this._spanOwner);
  }

  /**
   * Starts a span and runs `fn` with it active. With `finishOnClose` (the default) the
   * span finishes when `fn` returns, or when the promise it returns settles. A throw or
   * rejection tags `error: true`, logs the error, and is re-thrown.
   *
   *     const user = await tracer.startActiveSpan('load-user', async (span) => {
   *       span.setTag('user.id', id);
   *       return db.load(id); // startSpan in here makes children of 'load-user'
   *     });
   */
  startActiveSpan<T>(name: string, fn: (span: Span) => T): T;
  startActiveSpan<T>(name: string, options: ActiveSpanOptions, fn: (span: Span) => T): T;
  startActiveSpan<T>(name: string, optionsOrFn: ActiveSpanOptions | ((span: Span) => T), maybeFn?: (span: Span) => T): T {
    const options = typeof optionsOrFn === 'function' ? undefined : optionsOrFn;
    const fn = typeof optionsOrFn === 'function' ? optionsOrFn : maybeFn;
    if (typeof fn !== 'function') throw new TypeError('sextant: startActiveSpan(name, [options], fn) needs a function');
    const span = this.startSpan(name, options);
    const finishOnClose = options?.finishOnClose !== false;
    if (this._asyncLocalScopes !== null) return this._asyncLocalScopes.activateWith(span, fn, span, finishOnClose);
    return this._scopes.activate(span, () => fn(span), finishOnClose);
  }

  /**
   * The span active in the current async context, or null.
   *
   *     tracer.activeSpan()?.setTag('user.id', id);
   */
  activeSpan(): Span | null {
    const scope = this._scopes.active();
    return scope === null ? null : scope.span();
  }

  /**
   * The scope manager that keeps the active span.
   *
   *     setTimeout(tracer.scopeManager().bind(() => work()), 10);
   */
  scopeManager(): ScopeManager {
    return this._scopes;
  }

  /**
   * The service this tracer's spans belong to.
   *
   *     tracer.serviceName(); // 'checkout'
   */
  serviceName(): string {
    return this._serviceName;
  }

  /**
   * Reads a span context from a carrier: `FORMAT_HTTP_HEADERS` and `FORMAT_TEXT_MAP` in
   * the configured propagation formats, or `FORMAT_BINARY`. Never throws: a missing or
   * malformed context, or an unknown format, gives null.
   *
   *     const parent = tracer.extract(opentracing.FORMAT_HTTP_HEADERS, req.headers);
   *     const span = tracer.startSpan('GET /users', { childOf: parent ?? undefined });
   */
  extract(format: string, carrier: unknown): SpanContext | null {
    return this._extract(format, carrier);
  }

  /**
   * Hands every finished span to the exporter and waits for it (or its timeout).
   * Never rejects.
   *
   *     await tracer.flush();
   */
  async flush(): Promise<void> {
    if (this._recorder === null) return;
    try {
      await this._recorder.flush();
    } catch (error) {
      this._faults.warnOnce('recorder-flush', `recorder.flush() failed: ${describeError(error)}`);
    }
  }

  /**
   * Flushes and closes the recorder. Spans finished afterwards are dropped; context
   * still propagates. Never rejects; a second call does nothing more.
   *
   *     await tracer.close();
   */
  async close(): Promise<void> {
    if (this._closed) return;
    this._closed = true;
    if (this._recorder === null) return;
    try {
      await this._recorder.close();
    } catch (error) {
      this._faults.warnOnce('recorder-close', `recorder.close() failed: ${describeError(error)}`);
    }
  }

  protected _inject(spanContext: opentracing.SpanContext, format: string, carrier: unknown): void {
    try {
      const context = toSpanContext(spanContext);
      if (context === null) {
        this._faults.warnOnce('inject-foreign-context', 'inject() was given something that is not a span context; nothing injected.');
        return;
      }
      if (format === opentracing.FORMAT_HTTP_HEADERS || format === opentracing.FORMAT_TEXT_MAP) {
        this._propagator.injectTextMap(context, carrier);
      } else if (format === opentracing.FORMAT_BINARY) {
        this._propagator.injectBinary(context, carrier);
      } else {
        this._faults.warnOnce(`inject-format-${String(format)}`, `inject(): unsupported format ${String(format)}; nothing injected.`);
      }
    } catch (error) {
      this._faults.warnOnce('inject-failed', `inject() failed: ${describeError(error)}`);
    }
  }

  protected _extract(format: string, carrier: unknown): SpanContext | null {
    try {
      if (format === opentracing.FORMAT_HTTP_HEADERS || format === opentracing.FORMAT_TEXT_MAP) {
        return this._propagator.extractTextMap(carrier);
      }
      if (format === opentracing.FORMAT_BINARY) return this._propagator.extractBinary(carrier);
      this._faults.warnOnce(`extract-format-${String(format)}`, `extract(): unsupported format ${String(format)}; returned null.`);
    } catch (error) {
      this._faults.warnOnce('extract-failed', `extract() failed: ${describeError(error)}`);
    }
    return null;
  }

  /** @internal The hook `sextant/opentelemetry` starts spans through; see `TracerInternals`. */
  _internals(): TracerInternals {
    if (this._internalsView !== null) return this._internalsView;
    const owner = this._spanOwner;
    const silent: SpanOwner = { ...owner, isRecording: () => false, record: () => undefined };
    this._internalsView = {
      scopes: this._asyncLocalScopes,
      propagator: this._propagator,
      faults: this._faults,
      ownerFor: (scope) => ({ ...owner, scope }),
      startSpan: (spanOwner, operationName, parent, references, tags, startTime) =>
        this._createSpan(operationName, parent, references, tags, startTime, spanOwner),
      standIn: (context) =>
        new Span(silent, {
          context,
          operationName: 'remote parent',
          startTime: 0,
          parent: null,
          references: null,
          tags: undefined,
          ownsTags: false,
        }),
    };
    return this._internalsView;
  }

  private _makeSpanOwner(process: SpanProcess): SpanOwner {
    const faults = this._faults;
    const recorder = this._recorder;
    return {
      tracer: this,
      serviceName: this._serviceName,
      process,
      faults,
      // Present though undefined, so scoped owners (`ownerFor`) share this object's shape.
      scope: undefined,
      isRecording: () => recorder !== null && !this._closed,
      record: (span: FinishedSpan) => {
        try {
          (recorder as Recorder).record(span);
        } catch (error) {
          faults.warnOnce('recorder-record', `recorder.record() threw: ${describeError(error)}; span dropped.`);
        }
      },
    };
  }

  private _createSpan(
    operationName: string,
    parent: SpanContext | null,
    references: SpanReference[] | null,
    tags: Record<string, unknown> | undefined,
    startTime: number,
    owner: SpanOwner,
  ): Span {
    let context: SpanContext;
    let samplerTags: Readonly<Record<string, unknown>> | undefined;
    if (parent !== null && !parent.remote) {
      // A local parent already decided for the whole trace.
      context = parent.child({ spanId: randomSpanId() });
    } else {
      const traceId = parent === null ? randomTraceId() : parent.traceId;
      const decision = this._decide(traceId, operationName, parent);
      if (decision.sampled && parent === null) samplerTags = decision.tags;
      context =
        parent === null
          ? new SpanContext({ traceId, spanId: randomSpanId(), sampled: decision.sampled })
          : parent.child({ spanId: randomSpanId(), sampled: decision.sampled });
    }
    // Sampler tags go first so the caller's tags win; merging here costs one copy, not a copy per tag.
    const ownTags = samplerTags === undefined ? undefined : tags === undefined ? { ...samplerTags } : { ...samplerTags, ...tags };
    return new Span(owner, {
      context,
      operationName,
      startTime,
      parent,
      references,
      tags: ownTags ?? tags,
      ownsTags: ownTags !== undefined,
    });
  }

  /** The sampler's verdict; an upstream debug flag always samples, and a sampler that throws samples nothing. */
  private _decide(traceId: string, operationName: string, parent: SpanContext | null): SamplingDecision {
    if (parent !== null && parent.debug) return DEBUG_SAMPLED;
    try {
      return this._sampler.shouldSample(traceId, operationName, parent);
    } catch (error) {
      this._faults.warnOnce('sampler-threw', `sampler.shouldSample() threw: ${describeError(error)}; trace not sampled.`);
      return SAMPLER_FAILED;
    }
  }
}
