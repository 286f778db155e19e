import * as api from '@opentelemetry/api';
import { errorLogFields } from '../record-error';
import type { SpanReference } from '../recording/finished-span';
import type { Span } from '../span';
import { copyFields } from '../span-fields';
import { describeError } from '../util/describe';
import { OTEL_STATUS_CODE_TAG, OTEL_STATUS_DESCRIPTION_TAG } from '../util/semantic-tags';
import { fromOtelSpanContext, toOtelSpanContext } from './span-contexts';
import { isTimeInput, timeInputToMillis } from './time-input';

/**
 * A sextant span seen through `@opentelemetry/api`'s `Span` interface: every call lands on
 * the sextant span (attributes → tags, events → logs, links → `follows_from` references,
 * status ERROR → `error: true`, `recordException` → the error log), so it is recorded,
 * limited and exported like any other. A span that is not sampled, or that stands for a
 * remote parent, is non-recording: its calls do nothing. No method throws.
 *
 *     const span = trace.getTracer('lib').startSpan('work'); // an OtelSpan over a sextant Span
 *     span.setAttribute('items', 3).end();
 */
export class OtelSpan implements api.Span {
  private view: api.SpanContext | undefined = undefined;
  private status: api.SpanStatusCode = api.SpanStatusCode.UNSET;

  constructor(
    /** the sextant span every call lands on */
    readonly span: Span,
    /** false for a stand-in (a remote or foreign parent): never recording */
    private readonly recordable: boolean,
  ) {}

  spanContext(): api.SpanContext {
    return (this.view ??= toOtelSpanContext(this.span.context()));
  }

  setAttribute(key: string, value: api.SpanAttributeValue): this {
    if (value === undefined || value === null || !this.sampled()) return this;
    try {
      this.span.setTag(key, value);
    } catch (error) {
      this.fault('setAttribute', error);
    }
    return this;
  }

  setAttributes(attributes: api.SpanAttributes): this {
    if (!this.sampled() || attributes === null || typeof attributes !== 'object') return this;
    try {
      for (const key of Object.keys(attributes)) this.setAttribute(key, attributes[key] as api.SpanAttributeValue);
    } catch (error) {
      this.fault('setAttributes', error);
    }
    return this;
  }

  addEvent(name: string, attributesOrStartTime?: api.SpanAttributes | api.TimeInput, startTime?: api.TimeInput): this {
    if (!this.sampled()) return this;
    try {
      const timed = isTimeInput(attributesOrStartTime);
      const attributes = timed ? undefined : attributesOrStartTime;
      const fields = attributes !== null && typeof attributes === 'object' ? copyFields({}, attributes) : {};
      fields.event = typeof name === 'string' ? name : describeError(name);
      this.span.log(fields, timeInputToMillis(timed ? attributesOrStartTime : startTime));
    } catch (error) {
      this.fault('addEvent', error);
    }
    return this;
  }

  addLink(link: api.Link): this {
    if (!this.sampled()) return this;
    try {
      const reference = linkReference(link);
      if (reference !== null) this.span._addReference(reference);
    } catch (error) {
      this.fault('addLink', error);
    }
    return this;
  }

  addLinks(links: api.Link[]): this {
    if (!this.sampled() || !Array.isArray(links)) return this;
    for (let i = 0; i < links.length; i++) this.addLink(links[i]);
    return this;
  }

  setStatus(status: api.SpanStatus): this {
    if (!this.sampled() || this.status === api.SpanStatusCode.OK) return this;
    try {
      const code = status?.code;
      if (code === api.SpanStatusCode.ERROR) {
        this.status = code;
        this.span.setTag('error', true);
        const message = status.message;
        if (typeof message === 'string' && message.length > 0) this.span.setTag(OTEL_STATUS_DESCRIPTION_TAG, message);
      } else if (code === api.SpanStatusCode.OK) {
        // OK is final and overrides an earlier ERROR, as OpenTelemetry's API says.
        if (this.status === api.SpanStatusCode.ERROR) this.span.setTag('error', false);
        this.status = code;
        this.span.setTag(OTEL_STATUS_CODE_TAG, 'OK');
      }
    } catch (error) {
      this.fault('setStatus', error);
    }
    return this;
  }

  updateName(name: string): this {
    if (!this.sampled()) return this;
    try {
      this.span.setOperationName(name);
    } catch (error) {
      this.fault('updateName', error);
    }
    return this;
  }

  end(endTime?: api.TimeInput): void {
    try {
      this.span.finish(timeInputToMillis(endTime));
    } catch (error) {
      this.fault('end', error);
    }
  }

  isRecording(): boolean {
    return this.recordable && this.span.context().sampled && !this.span.isFinished();
  }

  recordException(exception: api.Exception, time?: api.TimeInput): void {
    if (!this.sampled()) return;
    try {
      this.span.log(exceptionFields(exception), timeInputToMillis(time));
    } catch (error) {
      this.fault('recordException', error);
    }
  }

  /** Whether calls should reach the span: a sampled span that records (finished ones warn there). */
  private sampled(): boolean {
    return this.recordable && this.span.context().sampled;
  }

  private fault(method: string, error: unknown): void {
    this.span.tracer()._faults.warnOnce(`otel-span-${method}`, `OpenTelemetry span.${method}() failed: ${describeError(error)}; ignored.`);
  }
}

/** A link as a `follows_from` reference, or null when its context is not valid. */
export function linkReference(link: unknown): SpanReference | null {
  if (link === null || typeof link !== 'object') return null;
  const context = fromOtelSpanContext((link as api.Link).context);
  return context === null ? null : { type: 'follows_from', traceId: context.traceId, spanId: context.spanId };
}

/**
 * The error log `recordError` writes, for any of OpenTelemetry's `Exception` shapes: an
 * Error, a string, or an object with `message`/`name`/`stack` that is not an Error.
 */
function exceptionFields(exception: unknown): Record<string, unknown> {
  if (exception !== null && typeof exception === 'object' && !(exception instanceof Error)) {
    const { message, stack } = exception as { message?: unknown; stack?: unknown };
    if (typeof message === 'string') {
      return { event: 'error', 'error.object': exception, message, stack: typeof stack === 'string' ? stack : undefined };
    }
  }
  return errorLogFields(exception);
}
