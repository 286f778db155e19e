import { execFile } from 'node:child_process';
import path from 'node:path';

const root = path.resolve(__dirname, '..', '..');
const tsNode = path.join(root, 'node_modules/ts-node/dist/bin.js');

export interface SampleRun {
  code: number | null;
  stdout: string;
  stderr: string;
}

/**
 * Runs `samples/<name>` the way its header says (`ts-node --transpile-only`), in its own
 * `node` process (the one running the specs, so the Node version under test), without
 * the OTEL_* variables of the environment; killed after 60 s.
 */
export function runSample(name: string, args: string[] = []): Promise<SampleRun> {
  const env = Object.fromEntries(Object.entries(process.env).filter(([key]) => !key.startsWith('OTEL_')));
  return new Promise((resolve) => {
    execFile(
      process.execPath,
      [tsNode, '--transpile-only', `samples/${name}`, ...args],
      { cwd: root, timeout: 60_000, env },
      (error, stdout, stderr) => resolve({ code: error === null ? 0 : typeof error.code === 'number' ? error.code : null, stdout, stderr }),
    );
  });
}

/** The span lines of ConsoleRecorder trees, without durations and bars: `  └─ db.load-order (orders)`. */
export function treeLines(output: string): string[] {
  return output
    .split('\n')
    .filter((line) => line.startsWith('  ') && line.endsWith('|'))
    .map((line) => line.replace(/ ·+ .*$/, ''));
}
