import * as api from '@opentelemetry/api';

/** A context that only notes the key it is given a value under: how the API's private keys are learnt. */
function keyUsedBy(set: (context: api.Context) => unknown): symbol {
  let used: symbol | undefined;
  const probe: api.Context = {
    getValue: () => undefined,
    setValue(key) {
      used = key;
      return probe;
    },
    deleteValue: () => probe,
  };
  set(probe);
  if (used === undefined) throw new Error('sextant: @opentelemetry/api stored nothing in a context');
  return used;
}

/**
 * The context keys `@opentelemetry/api` keeps a context's span and baggage under, as the
 * loaded copy of the API spells them (learnt, not assumed, so any 1.x copy works).
 */
export const SPAN_KEY: symbol = keyUsedBy((context) => api.trace.setSpan(context, api.trace.wrapSpanContext(api.INVALID_SPAN_CONTEXT)));
export const BAGGAGE_KEY: symbol = keyUsedBy((context) => api.propagation.setBaggage(context, api.propagation.createBaggage()));

/**
 * The key of OpenTelemetry's `suppressTracing` (in `@opentelemetry/core`, which sextant does
 * not load): `createContextKey` makes keys with `Symbol.for`, so the description names it.
 */
export const SUPPRESS_TRACING_KEY: symbol = Symbol.for('OpenTelemetry SDK Context Key SUPPRESS_TRACING');
