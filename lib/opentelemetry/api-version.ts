import * as fs from 'node:fs';
import * as path from 'node:path';

/** The `@opentelemetry/api` versions sextant/opentelemetry works with: >=1.3 <2. */
export const SUPPORTED_API_RANGE = '>=1.3 <2';

/**
 * The version of the `@opentelemetry/api` that `require` finds from sextant's own folder,
 * or null when none is installed. Read from its package.json beside the resolved entry,
 * without loading the API itself.
 *
 *     openTelemetryApiVersion(); // '1.9.1' or null
 */
export function openTelemetryApiVersion(): string | null {
  let dir: string;
  try {
    dir = path.dirname(require.resolve('@opentelemetry/api'));
  } catch {
    return null;
  }
  // The entry is build/src/index.js: a few levels below the package root.
  for (let depth = 0; depth < 6; depth++) {
    try {
      const manifest = JSON.parse(fs.readFileSync(path.join(dir, 'package.json'), 'utf8')) as { name?: unknown; version?: unknown };
      if (manifest.name === '@opentelemetry/api' && typeof manifest.version === 'string') return manifest.version;
    } catch {
      // no package.json at this level: look further up
    }
    const up = path.dirname(dir);
    if (up === dir) break;
    dir = up;
  }
  return null;
}

/** Whether `version` is in `SUPPORTED_API_RANGE`. */
export function isSupportedApiVersion(version: string): boolean {
  const match = /^(\d+)\.(\d+)\./.exec(version);
  return match !== null && Number(match[1]) === 1 && Number(match[2]) >= 3;
}
