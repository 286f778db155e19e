// `sextant/opentelemetry`: sextant behind @opentelemetry/api (>=1.3 <2, an optional peer
// dependency). Nothing here is loaded by `require('sextant')`.
export { registerOpenTelemetry } from './register';
export type { OpenTelemetryOptions, OpenTelemetryRegistration } from './register';
export { maybeRegisterOpenTelemetry, OPENTELEMETRY_SWITCH } from './maybe-register';
export { TRACER_PROVIDER_DEFAULTS } from './tracer-provider';
export { SUPPORTED_API_RANGE } from './api-version';
