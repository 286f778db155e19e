import type { Tracer } from '../tracer';
import { describeError } from '../util/describe';
import { isSupportedApiVersion, openTelemetryApiVersion, SUPPORTED_API_RANGE } from './api-version';
import type { OpenTelemetryRegistration, registerOpenTelemetry as RegisterOpenTelemetry } from './register';

/** The environment variable that turns the OpenTelemetry bridge of `sextant/register` off: `false`, `0`, `off` or `no`. */
export const OPENTELEMETRY_SWITCH = 'SEXTANT_OPENTELEMETRY';

const OFF = new Set(['false', '0', 'off', 'no']);
const ON = new Set(['true', '1', 'on', 'yes']);

/**
 * What `sextant/register` calls: `registerOpenTelemetry(tracer)` when `@opentelemetry/api`
 * (>=1.3 <2) is installed and `SEXTANT_OPENTELEMETRY` does not switch it off; otherwise
 * nothing, and `@opentelemetry/api` is never loaded. Returns the registration, or null when
 * nothing was registered. Never throws; a problem is reported once through the tracer's logger.
 *
 *     const otel = maybeRegisterOpenTelemetry(tracer, process.env); // null without @opentelemetry/api
 */
export function maybeRegisterOpenTelemetry(
  tracer: Tracer,
  env: Readonly<Record<string, string | undefined>> = process.env,
): OpenTelemetryRegistration | null {
  const faults = tracer._faults;
  try {
    const switchValue = env[OPENTELEMETRY_SWITCH]?.trim().toLowerCase();
    if (switchValue !== undefined && OFF.has(switchValue)) return null;
    const version = openTelemetryApiVersion();
    if (version === null) {
      if (switchValue !== undefined && ON.has(switchValue)) {
        faults.warnOnce(
          'otel-api-missing',
          `${OPENTELEMETRY_SWITCH}=${switchValue} but @opentelemetry/api is not installed; OpenTelemetry bridge off.`,
        );
      }
      return null;
    }
    if (!isSupportedApiVersion(version)) {
      faults.warnOnce(
        'otel-api-version',
        `@opentelemetry/api ${version} is installed; sextant needs ${SUPPORTED_API_RANGE}. OpenTelemetry bridge off.`,
      );
      return null;
    }
    // Loaded only now: without @opentelemetry/api installed, nothing below may be required.
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const { registerOpenTelemetry } = require('./register') as { registerOpenTelemetry: typeof RegisterOpenTelemetry };
    return registerOpenTelemetry(tracer);
  } catch (error) {
    faults.warnOnce('otel-register-failed', `the OpenTelemetry bridge could not be registered: ${describeError(error)}.`);
    return null;
  }
}
