// sextant's types use Node's (EventEmitter, IncomingMessage, Buffer): this makes a
// consumer's compiler load @types/node even when its tsconfig lists no `types`.
/// <reference types="node" preserve="true" />

// The tracer and its spans
export { Tracer } from './tracer';
export { Span } from './span';
export { SpanContext } from './span-context';
export type { Baggage, SpanContextFields } from './span-context';
export { recordError } from './record-error';
export type { TracerOptions, StartSpanOptions, ActiveSpanOptions, PropagationName } from './options';
export { SPAN_LIMITS_DEFAULTS } from './span-limits';
export type { SpanLimits } from './span-limits';
export type { Logger, FaultLogger } from './util/fault-logger';

// Active spans across async work
export type { Scope, ScopeManager } from './scope/scope-manager';
export { AsyncLocalScopeManager } from './scope/async-local-scope-manager';

// Propagation
export { PROPAGATION_LIMITS } from './propagation/limits';

// Recording
export type { FinishedSpan, SpanLog, SpanReference, SpanProcess, DroppedCounts, InstrumentationScope } from './recording/finished-span';
export type { Recorder, TracerProcess } from './recording/recorder';
export { InMemoryRecorder } from './recording/in-memory-recorder';
export { ConsoleRecorder, CONSOLE_RECORDER_DEFAULTS } from './recording/console-recorder';
export type { ConsoleRecorderOptions } from './recording/console-recorder';
export { renderTraceTree } from './recording/trace-tree';
export type { TraceTreeOptions } from './recording/trace-tree';
export { BatchRecorder } from './recording/batch-recorder';
export type { RecorderStats } from './recording/batch-recorder';
export { BATCH_RECORDER_DEFAULTS, MAX_FLUSH_MILLIS } from './recording/batch-options';
export type { BatchOptions } from './recording/batch-options';

// Export
export type { Exporter, ExportResult, ExportOptions } from './recording/exporter';
export { OtlpHttpExporter, OTLP_HTTP_EXPORTER_DEFAULTS } from './export/otlp-http-exporter';
export type { OtlpHttpExporterOptions, OtlpHttpProtocol } from './export/otlp-http-exporter';
export { ZipkinExporter } from './export/zipkin-exporter';
export type { ZipkinExporterOptions } from './export/zipkin-exporter';
export { HTTP_EXPORTER_DEFAULTS } from './export/http-exporter-options';
export type { HttpExporterOptions } from './export/http-exporter-options';
export { RETRY_DEFAULTS } from './export/retry-policy';
export type { RetryOptions } from './export/retry-policy';

// Sampling
export type { Sampler, SamplingDecision } from './sampling/sampler';
export { ConstSampler } from './sampling/const-sampler';
export { ParentBasedSampler } from './sampling/parent-based-sampler';
export type { ParentBasedSamplerOptions } from './sampling/parent-based-sampler';
export { ProbabilisticSampler } from './sampling/probabilistic-sampler';
export { RateLimitingSampler } from './sampling/rate-limiting-sampler';
export type { MonotonicClock } from './sampling/rate-limiting-sampler';

// Configuration from the environment
export { initTracerFromEnv } from './config/init-tracer-from-env';

// Request-local tracing
export { tracingMiddleware } from './middleware/tracing-middleware';
export type { TracingMiddleware } from './middleware/tracing-middleware';
export { traceHttpHandler } from './middleware/trace-http-handler';
export type { HttpHandlerTracingOptions } from './middleware/trace-http-handler';
export type { ServerTracingOptions } from './middleware/server-options';
export { requestSpan } from './middleware/request-span';
export { koaTracing } from './middleware/koa-tracing';
export type { KoaMiddleware, KoaContextLike } from './middleware/koa-tracing';
export { fastifyTracing } from './middleware/fastify-tracing';
export type { FastifyTracingPlugin, FastifyInstanceLike, FastifyRequestLike, FastifyReplyLike } from './middleware/fastify-tracing';
export { tracedFetch } from './middleware/traced-fetch';
export type { TracedFetchOptions, FetchFunction } from './middleware/traced-fetch';
export { tracedRequest } from './middleware/traced-request';
export type { TracedRequestOptions, RequestFunction } from './middleware/traced-request';
export type { ClientOperationName } from './middleware/client-span';
export { DEFAULT_REDACTED_QUERY_PARAMETERS } from './middleware/url-redaction';
export type { HeaderCaptureOptions } from './middleware/header-capture';

// Zero-code tracing (node:diagnostics_channel); `sextant/register` sets it up from the environment
export { instrument } from './instrumentation/instrument';
export type { Instrumentation } from './instrumentation/instrument';
export type { InstrumentOptions, InstrumentationName } from './instrumentation/instrument-options';
export { registeredTracer } from './instrumentation/registered-tracer';

// Log correlation
export { traceLogFields } from './logging/trace-log-fields';
export type { TraceLogFields } from './logging/trace-log-fields';
