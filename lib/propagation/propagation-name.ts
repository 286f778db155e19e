/** The wire formats `inject`/`extract` speak for TEXT_MAP and HTTP_HEADERS carriers. */
export type PropagationName = 'tracecontext' | 'baggage' | 'b3' | 'b3multi' | 'jaeger' | 'ottrace' | 'xray';

/** Every format sextant speaks, in the order README lists them. */
export const PROPAGATION_NAMES: readonly PropagationName[] = Object.freeze([
  'tracecontext',
  'baggage',
  'b3',
  'b3multi',
  'jaeger',
  'ottrace',
  'xray',
]);

/** What a tracer speaks when `TracerOptions.propagation` (or `OTEL_PROPAGATORS`) says nothing: W3C Trace Context and Baggage. */
export const DEFAULT_PROPAGATION: readonly PropagationName[] = Object.freeze(['tracecontext', 'baggage']);
