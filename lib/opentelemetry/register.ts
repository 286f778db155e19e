import * as api from '@opentelemetry/api';
import { ActiveScope, setContextBridge } from '../scope/active-scope';
import { AsyncLocalScopeManager } from '../scope/async-local-scope-manager';
import type { Tracer, TracerInternals } from '../tracer';
import { optionError } from '../util/option-error';
import { isSupportedApiVersion, openTelemetryApiVersion, SUPPORTED_API_RANGE } from './api-version';
import { SextantContextManager } from './context-manager';
import type { BridgeState } from './otel-tracer';
import { SpanBridge } from './span-bridge';
import { SextantTextMapPropagator } from './text-map-propagator';
import { SextantTracerProvider } from './tracer-provider';

/** Options of `registerOpenTelemetry`. */
export interface OpenTelemetryOptions {
  /**
   * make sextant the global TextMapPropagator too (default true). false leaves the
   * propagator already set (or the API's no-op one) in place.
   */
  propagator?: boolean;
}

/** What `registerOpenTelemetry` returns. */
export interface OpenTelemetryRegistration {
  /** restores `@opentelemetry/api`'s no-op globals; spans started afterwards through the API are no-ops. A second call does nothing. */
  disable(): void;
}

const NOTHING_REGISTERED: OpenTelemetryRegistration = Object.freeze({ disable: () => undefined });

/** The registration in force: the API has one set of globals per process. */
let current: { tracer: Tracer; registration: OpenTelemetryRegistration } | null = null;

/**
 * Makes `tracer` the global TracerProvider, ContextManager and TextMapPropagator of
 * `@opentelemetry/api`: spans that libraries and OpenTelemetry instrumentations start
 * through the API are the tracer's spans (its sampler, recorder and propagation formats),
 * and both APIs share one active span and one context. Never throws for a usable tracer;
 * when another TracerProvider, ContextManager or propagator is registered already, it
 * registers nothing and says so once through the tracer's logger.
 *
 *     import { registerOpenTelemetry } from 'sextant/opentelemetry';
 *     const otel = registerOpenTelemetry(tracer);
 *     // ... later, e.g. in tests:
 *     otel.disable();
 *
 * @throws TypeError when `tracer` is not a sextant Tracer or an option has the wrong type.
 */
export function registerOpenTelemetry(tracer: Tracer, options?: OpenTelemetryOptions): OpenTelemetryRegistration {
  validate(tracer, options);
  const internals = tracer._internals();
  const faults = internals.faults;
  if (current !== null) {
    faults.warnOnce(
      'otel-registered-twice',
      `registerOpenTelemetry(): sextant is registered with @opentelemetry/api already (service ${current.tracer.serviceName()}); disable() that registration first. Nothing changed.`,
    );
    return NOTHING_REGISTERED;
  }
  const version = openTelemetryApiVersion();
  if (version !== null && !isSupportedApiVersion(version)) {
    faults.warnOnce(
      'otel-api-version',
      `registerOpenTelemetry(): @opentelemetry/api ${version} is installed; sextant needs ${SUPPORTED_API_RANGE}. Nothing registered.`,
    );
    return NOTHING_REGISTERED;
  }

  const state = bridgeState(tracer, internals);
  const bridge = state.bridge;
  const provider = new SextantTracerProvider(state);
  const propagator = new SextantTextMapPropagator(internals, bridge, state.contextManager);

  setContextBridge(bridge);
  const set = { trace: false, context: false, propagation: false };
  set.trace = api.trace.setGlobalTracerProvider(provider);
  if (set.trace) set.context = api.context.setGlobalContextManager(state.contextManager);
  if (set.context && options?.propagator !== false) set.propagation = api.propagation.setGlobalPropagator(propagator);
  const failed = !set.trace
    ? 'TracerProvider'
    : !set.context
      ? 'ContextManager'
      : options?.propagator !== false && !set.propagation
        ? 'TextMapPropagator'
        : null;

  const undo = (): void => {
    state.enabled = false;
    if (set.trace) api.trace.disable();
    if (set.context) api.context.disable();
    if (set.propagation) api.propagation.disable();
    setContextBridge(null);
  };
  if (failed !== null) {
    undo();
    faults.warnOnce(
      'otel-global-taken',
      `registerOpenTelemetry(): another OpenTelemetry ${failed} is registered (an OpenTelemetry SDK?); disable it first (api.trace.disable(), api.context.disable(), api.propagation.disable()) or pass { propagator: false }. Nothing registered.`,
    );
    return NOTHING_REGISTERED;
  }

  let disabled = false;
  const registration: OpenTelemetryRegistration = {
    disable(): void {
      if (disabled) return;
      disabled = true;
      undo();
      if (current?.registration === registration) current = null;
    },
  };
  current = { tracer, registration };
  return registration;
}

/** The parts one registration is made of. With a custom scope manager, OpenTelemetry gets its own async-local store. */
function bridgeState(tracer: Tracer, internals: TracerInternals): BridgeState & { bridge: SpanBridge } {
  const bridge = new SpanBridge(internals);
  let scopes = internals.scopes;
  let outside: (() => api.Context) | null = null;
  if (scopes === null) {
    internals.faults.warnOnce(
      'otel-custom-scope-manager',
      'registerOpenTelemetry(): the tracer has a custom scope manager, so OpenTelemetry keeps its own context: ' +
        'OpenTelemetry spans started outside any OpenTelemetry context are children of the OpenTracing active span, ' +
        'but OpenTracing does not see the spans OpenTelemetry makes active.',
    );
    scopes = new AsyncLocalScopeManager();
    outside = (): api.Context => {
      const span = tracer.activeSpan();
      return span === null ? api.ROOT_CONTEXT : new ActiveScope(span, false, undefined, null);
    };
  }
  const contextManager = new SextantContextManager(scopes, bridge, internals.faults, outside);
  return { internals, scopes, contextManager, bridge, enabled: true };
}

function validate(tracer: unknown, options: unknown): asserts tracer is Tracer {
  if (tracer === null || typeof tracer !== 'object' || typeof (tracer as { _internals?: unknown })._internals !== 'function') {
    throw optionError('registerOpenTelemetry(tracer)', 'a sextant Tracer', tracer);
  }
  if (options === undefined) return;
  if (options === null || typeof options !== 'object') throw optionError('OpenTelemetryOptions', 'an object', options);
  const propagator = (options as Record<string, unknown>).propagator;
  if (propagator !== undefined && typeof propagator !== 'boolean')
    throw optionError('OpenTelemetryOptions.propagator', 'a boolean', propagator);
}
