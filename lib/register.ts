/**
 * `node --require sextant/register app.js` / `node --import sextant/register app.mjs`:
 * zero-code tracing for an application that does not import sextant. Sets up a tracer
 * from the `OTEL_*` environment (`initTracerFromEnv()`: exporter, sampler, propagators,
 * flushed on exit), makes it the OpenTracing global tracer and `registeredTracer()`,
 * turns on `instrument()` for the instrumentations `OTEL_NODE_ENABLED_INSTRUMENTATIONS`
 * / `OTEL_NODE_DISABLED_INSTRUMENTATIONS` leave on (`http`, `undici`; default both), and,
 * when `@opentelemetry/api` is installed, puts sextant behind it (`registerOpenTelemetry`;
 * `SEXTANT_OPENTELEMETRY=false` leaves it off).
 *
 * With `OTEL_SDK_DISABLED=true` the tracer is still set up (it records nothing, as
 * `initTracerFromEnv` says) but nothing is instrumented: zero-code tracing is off.
 *
 * Loaded twice (by both flags, or from two installs) it sets up once. It never stops
 * the application from starting: a failure is one warning, and the app runs untraced.
 */
import * as opentracing from 'opentracing';
import { EnvReader } from './config/env-reader';
import { initTracerFromEnv } from './config/init-tracer-from-env';
import { describeError } from './util/describe';
import { instrument } from './instrumentation/instrument';
import { instrumentationsFromEnv } from './instrumentation/instrumentations-from-env';
import { registeredTracer, setRegisteredTracer } from './instrumentation/registered-tracer';
import { maybeRegisterOpenTelemetry } from './opentelemetry/maybe-register';

function register(): void {
  if (registeredTracer() !== null) return;
  try {
    const tracer = initTracerFromEnv();
    if (!setRegisteredTracer(tracer)) return;
    opentracing.initGlobalTracer(tracer);
    const reader = new EnvReader(process.env, console);
    if (reader.boolean('OTEL_SDK_DISABLED')) return;
    // Before the application loads: instrumentation written against @opentelemetry/api
    // then finds sextant behind the API (when the API is installed; SEXTANT_OPENTELEMETRY=false turns it off).
    maybeRegisterOpenTelemetry(tracer, process.env);
    instrument(tracer, { instrumentations: instrumentationsFromEnv(reader) });
  } catch (error) {
    try {
      console.warn(`sextant: sextant/register could not set up tracing (${describeError(error)}); the application runs untraced.`);
    } catch {
      // Nothing left to tell.
    }
  }
}

register();
