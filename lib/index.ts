export { Tracer } from './tracer';
export { Span } from './span';
export { SpanContext } from './span-context';
export type { Baggage } from './span-context';
export type { TracerOptions, StartSpanOptions, ActiveSpanOptions, PropagationName } from './options';
export type { Logger, FaultLogger } from './util/fault-logger';

export type { Scope, ScopeManager } from './scope/scope-manager';
export { AsyncLocalScopeManager } from './scope/async-local-scope-manager';

export type { FinishedSpan, SpanLog, SpanReference } from './recording/finished-span';
export type { Recorder, TracerProcess } from './recording/recorder';
export { InMemoryRecorder } from './recording/in-memory-recorder';
export { ConsoleRecorder } from './recording/console-recorder';
export type { ConsoleRecorderOptions } from './recording/console-recorder';
export { renderTraceTree } from './recording/trace-tree';

export type { Exporter, ExportResult } from './export/exporter';

export type { Sampler, SamplingDecision } from './sampling/sampler';
export { ConstSampler } from './sampling/const-sampler';
export { ParentBasedSampler } from './sampling/parent-based-sampler';
export type { ParentBasedSamplerOptions } from './sampling/parent-based-sampler';
