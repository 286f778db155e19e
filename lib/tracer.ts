import * as opentracing from 'opentracing';
import { resolveReferences, toSpanContext } from './foreign-context';
import { readTracerOptions } from './options';
import type { ActiveSpanOptions, StartSpanOptions, TracerOptions } from './options';
import { DEFAULT_PROPAGATION } from './propagation/propagation-name';
import { Propagator } from './propagation/propagator';
import type { RecorderStats } from './recording/batch-recorder';
import type { FinishedSpan, InstrumentationScope, SpanProcess, SpanReference } from './recording/finished-span';
import type { Recorder } from './recording/recorder';
import { ConstSampler } from './sampling/const-sampler';
import { ParentBasedSampler } from './sampling/parent-based-sampler';
import type { Sampler, SamplingDecision } from './sampling/sampler';
import { AsyncLocalScopeManager } from './scope/async-local-scope-manager';
import type { ScopeManager } from './scope/scope-manager';
import { operationNameOf, Span } from './span';
import type { SpanDropped, SpanOwner } from './span';
import { SpanContext } from './span-context';
import { resolveSpanLimits } from './span-limits';
import type { ResolvedSpanLimits } from './span-limits';
import { nowMillis } from './util/clock';
import { describeError, describeValue } from './util/describe';
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
  private readonly _limits: ResolvedSpanLimits;
  private _closed = false;
  private _internalsView: TracerInternals | null = null;
  /** set when no recorder is wanted (OTEL_SDK_DISABLED): then having none is not reported */
  private _recordingDisabled = false;

  constructor(given: TracerOptions) {
    super();
    const options = readTracerOptions(given);
    this._serviceName = options.serviceName;
    this._faults = new FaultLogger(options.logger ?? console);
    this._recorder = options.recorder ?? null;
    this._sampler = options.sampler ?? new ParentBasedSampler(new ConstSampler(true));
    this._scopes = options.scopeManager ?? new AsyncLocalScopeManager();
    this._asyncLocalScopes = this._scopes instanceof AsyncLocalScopeManager ? this._scopes : null;
    this._propagator = new Propagator(options.propagation ?? DEFAULT_PROPAGATION);
    this._limits = resolveSpanLimits(options.limits);
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
    if (options === undefined || options === null) return this._beginSpan(operationName, undefined);
    try {
      return this._beginSpan(operationName, options);
    } catch (error) {
      // A getter or Proxy trap threw: read the options again, field by field, leaving out what throws.
      this._faults.warnOnce(
        'start-span-options',
        `startSpan() options could not be read (${describeError(error)}); what threw was left out.`,
      );
    }
    try {
      return this._beginSpan(operationName, readableOptions(options));
    } catch {
      return this._beginSpan(operationName, undefined);
    }
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
    if (typeof fn !== 'function') {
      // No throw into the app for a missing callback: nothing to run, no span started.
      this._faults.warnOnce(
        'start-active-span-no-function',
        'startActiveSpan(name, [options], fn) was called without a function; no span started, undefined returned.',
      );
      return undefined as T;
    }
    const span = this.startSpan(name, options);
    let finishOnClose = true;
    try {
      finishOnClose = options?.finishOnClose !== false;
    } catch {
      // startSpan reported the options already.
    }
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
   * Writes a span's context into a carrier: `FORMAT_HTTP_HEADERS` and `FORMAT_TEXT_MAP` in
   * the configured propagation formats, or `FORMAT_BINARY`. Accepts a Span or a
   * SpanContext, ours or another tracer's. Never throws: anything unusable injects nothing,
   * reported once.
   *
   *     const headers: Record<string, string> = {};
   *     tracer.inject(span, opentracing.FORMAT_HTTP_HEADERS, headers);
   */
  inject(spanContext: opentracing.SpanContext | opentracing.Span, format: string, carrier: unknown): void {
    // Not the base class's: its instanceof and context() run before anything can catch.
    this._inject(spanContext as opentracing.SpanContext, format, carrier);
  }

  /**
   * Reads a span context from a carrier: `FORMAT_HTTP_HEADERS` and `FORMAT_TEXT_MAP` in
   * the configured propagation formats, or `FORMAT_BINARY`. Never throws: a missing or
   * malformed context, or an unknown format, gives null.
   *
   *     const parent = tracer.extract(opentracing.FORMAT_HTTP_HEADERS, req.headers);
   *     const span = tracer.startSpan('GET /users', { childOf: parent });
   */
  extract(format: string, carrier: unknown): SpanContext | null {
    return this._extract(format, carrier);
  }

  /**
   * What the recorder counted: its `stats()` (a `BatchRecorder`'s, or the sum of a
   * `FanOutRecorder`'s), or undefined when the recorder keeps none. The handle on loss for
   * a tracer built by `initTracerFromEnv`.
   *
   *     const stats = tracer.stats();
   *     if (stats !== undefined && stats.dropped + stats.failed > 0) console.warn('tracing is losing spans', stats);
   */
  stats(): RecorderStats | undefined {
    const recorder = this._recorder as (Recorder & { stats?: () => RecorderStats | undefined }) | null;
    if (recorder === null || typeof recorder.stats !== 'function') return undefined;
    try {
      return recorder.stats() ?? undefined;
    } catch (error) {
      this._faults.warnOnce('recorder-stats', `recorder.stats() threw: ${describeError(error)}`);
      return undefined;
    }
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

  /** @internal for `initTracerFromEnv` under `OTEL_SDK_DISABLED`: recording nothing is wanted, not reported */
  _disableRecording(): void {
    this._recordingDisabled = true;
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
        this._faults.warnOnce('inject-format', `inject(): unsupported format ${describeValue(format)}; nothing injected (reported once).`);
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
      this._faults.warnOnce('extract-format', `extract(): unsupported format ${describeValue(format)}; returned null (reported once).`);
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
        this._createSpan(operationName, parent, references, 0, tags, startTime, spanOwner),
      standIn: (context) =>
        new Span(silent, {
          context,
          operationName: 'remote parent',
          startTime: 0,
          parent: null,
          references: null,
          droppedReferences: 0,
          tags: undefined,
          ownsTags: false,
        }),
    };
    return this._internalsView;
  }

  private _makeSpanOwner(process: SpanProcess): SpanOwner {
    const faults = this._faults;
    const recorder = this._recorder;
    const reportedLimits = new Set<string>();
    return {
      tracer: this,
      serviceName: this._serviceName,
      process,
      faults,
      // Present though undefined, so scoped owners (`ownerFor`) share this object's shape.
      scope: undefined,
      limits: this._limits,
      isRecording: () => {
        if (recorder !== null) return !this._closed;
        if (!this._recordingDisabled) {
          faults.warnOnce(
            'no-recorder',
            'this tracer has no recorder: spans are not recorded; pass TracerOptions.recorder (reported once).',
          );
        }
        return false;
      },
      record: (span: FinishedSpan) => {
        try {
          (recorder as Recorder).record(span);
        } catch (error) {
          faults.warnOnce('recorder-record', `recorder.record() threw: ${describeError(error)}; span dropped.`);
        }
      },
      reportDropped: (operationName: string, dropped: SpanDropped) => {
        // One warning per span at most, and each kind of limit named once per tracer.
        const parts: string[] = [];
        const limits = this._limits;
        const kinds: [keyof SpanDropped, string, number, string][] = [
          ['tags', 'maxTags', limits.maxTags, 'tags'],
          ['logs', 'maxLogs', limits.maxLogs, 'logs'],
          ['references', 'maxReferences', limits.maxReferences, 'references'],
          ['logFields', 'maxLogFields', limits.maxLogFields, 'log fields'],
        ];
        for (const [field, option, limit, noun] of kinds) {
          const count = dropped[field];
          if (count === 0 || reportedLimits.has(option)) continue;
          reportedLimits.add(option);
          parts.push(`exceeded ${option} (${limit}); ${count} ${noun} dropped`);
        }
        if (parts.length === 0) return;
        let name = operationName;
        if (name.length > 100) name = `${name.slice(0, 99)}…`;
        faults.warn(`span '${name}' ${parts.join(', ')} — see TracerOptions.limits (each limit reported once).`);
      },
    };
  }

  /** The context of the active span, or null; an active span that is not usable counts as none. */
  private _activeContext(): SpanContext | null {
    try {
      const scope = this._scopes.active();
      if (scope === null || scope === undefined) return null;
      const span = scope.span();
      return span instanceof Span ? span.context() : toSpanContext(span);
    } catch (error) {
      this._faults.warnOnce('active-span', `the scope manager's active span could not be read (${describeError(error)}); started a root.`);
      return null;
    }
  }

  /** `startSpan` once the name is known; may throw on hostile options (startSpan catches). */
  private _beginSpan(operationName: string, options: StartSpanOptions | undefined): Span {
    let parent: SpanContext | null = null;
    let references: SpanReference[] | null = null;
    let droppedReferences = 0;
    let useActive = true;
    let tags: object | undefined;
    let startTime: number | undefined;
    if (options !== undefined) {
      const childOf = options.childOf;
      // null is "not given", as OpenTracing's other APIs read it: instrumentation passes
      // `childOf: tracer.extract(...)`, which is null when no header came.
      if (childOf !== undefined && childOf !== null) {
        useActive = false;
        parent = toSpanContext(childOf);
      }
      const given = options.references;
      if (Array.isArray(given)) {
        const read = this._readReferences(given, parent);
        droppedReferences = read.dropped;
        if (read.references !== null) {
          useActive = false;
          references = read.references;
          parent = read.parent;
        }
      }
      if (options.ignoreActiveSpan === true) useActive = false;
      const givenTags = options.tags;
      if (givenTags !== null && typeof givenTags === 'object') tags = givenTags;
      const givenStart = options.startTime;
      if (typeof givenStart === 'number' && Number.isFinite(givenStart)) startTime = givenStart;
    }
    if (useActive) {
      const active = this._activeContext();
      if (active !== null) parent = active;
    }
    return this._createSpan(operationName, parent, references, droppedReferences, tags, startTime ?? nowMillis());
  }

  /**
   * The references to record, within `maxReferences` (`childOf`, when given, first), and the
   * parent they give: `childOf`, else the first `child_of` one, else the first. `references`
   * is null when none was usable.
   */
  private _readReferences(
    given: readonly unknown[],
    childOf: SpanContext | null,
  ): { references: SpanReference[] | null; parent: SpanContext | null; dropped: number } {
    const maxReferences = this._limits.maxReferences;
    const { resolved, dropped } = resolveReferences(given, maxReferences);
    if (resolved.length === 0) return { references: null, parent: childOf, dropped };
    const references = resolved.map((r) => r.reference);
    if (childOf === null) {
      return { references, parent: (resolved.find((r) => r.reference.type === 'child_of') ?? resolved[0]).context, dropped };
    }
    references.unshift({ type: 'child_of', traceId: childOf.traceId, spanId: childOf.spanId });
    if (references.length <= maxReferences) return { references, parent: childOf, dropped };
    references.length = maxReferences;
    return { references, parent: childOf, dropped: dropped + 1 };
  }

  private _createSpan(
    operationName: string,
    parent: SpanContext | null,
    references: SpanReference[] | null,
    droppedReferences: number,
    tags: object | undefined,
    startTime: number,
    owner: SpanOwner = this._spanOwner,
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
    let ownTags: Record<string, unknown> | undefined;
    if (samplerTags !== undefined) {
      try {
        // Spread, unlike the span's copy-on-write (copyFields): merging two objects this way
        // leaves keys added later cheap on every Node, and it is W1's fastest path.
        ownTags = tags === undefined ? { ...samplerTags } : { ...samplerTags, ...tags };
      } catch {
        // Hostile tags: the span reads them itself, leaving out what throws.
        ownTags = undefined;
      }
    }
    return new Span(owner, {
      context,
      operationName,
      startTime,
      parent,
      references,
      droppedReferences,
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

/**
 * The `startSpan` options that decide a span, each read on its own: one whose getter or
 * Proxy trap throws is left out. `references` is kept only when it is an array.
 */
function readableOptions(options: StartSpanOptions): StartSpanOptions {
  const readable: Record<string, unknown> = {};
  for (const name of ['childOf', 'ignoreActiveSpan', 'tags', 'startTime'] as const) {
    try {
      readable[name] = options[name];
    } catch {
      // left out
    }
  }
  try {
    const references = options.references;
    if (Array.isArray(references)) readable.references = references;
  } catch {
    // left out: a revoked Proxy is not even an array
  }
  return readable as StartSpanOptions;
}
