import { spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join, relative, resolve } from 'node:path';
import type * as TypeScript from 'typescript';

// Node's own require, outside Jest's module registry: it finds the TypeScript that
// ts-jest already loaded in this worker instead of evaluating it again.
const ts = createRequire(__filename)('typescript') as typeof TypeScript;

const ROOT = resolve(__dirname, '..', '..');

/** How a child process ended, and what it wrote. */
export interface ChildEnd {
  code: number | null;
  signal: NodeJS.Signals | null;
  /** from spawn to exit */
  millis: number;
  stdout: string;
  stderr: string;
  /** from the signal sent (after the child printed `ready`) to exit; undefined without one */
  millisAfterSignal?: number;
}

/**
 * The modules `entries` name (paths under lib/, without .ts) and what they import,
 * transpiled to JavaScript in a temporary folder, so each child starts in milliseconds
 * rather than seconds. The caller removes the folder.
 *
 *     const lib = transpileLib(['tracer', 'recording/batch-recorder']);
 */
export function transpileLib(entries: string[]): string {
  const out = mkdtempSync(join(tmpdir(), 'sextant-child-'));
  const pending = entries.map((entry) => join(ROOT, 'lib', `${entry}.ts`));
  const done = new Set<string>();
  while (pending.length > 0) {
    const path = pending.pop() as string;
    if (done.has(path)) continue;
    done.add(path);
    const source = readFileSync(path, 'utf8');
    for (const match of source.matchAll(/from '(\.{1,2}\/[^']+)'/g)) pending.push(resolve(dirname(path), `${match[1]}.ts`));
    const { outputText } = ts.transpileModule(source, {
      compilerOptions: { module: ts.ModuleKind.CommonJS, target: ts.ScriptTarget.ES2022, esModuleInterop: true },
    });
    const target = join(out, relative(join(ROOT, 'lib'), path)).replace(/\.ts$/, '.js');
    mkdirSync(dirname(target), { recursive: true });
    writeFileSync(target, outputText);
  }
  return out;
}

/**
 * Runs `program` in a child `node` (the same binary as the test) with `env` and
 * SEXTANT_LIB pointing at `lib`. With `signal`, sends it once the child prints `ready`.
 * Killed (and rejected) after `guardMillis`.
 */
export function runNode(
  program: string,
  lib: string,
  env: Record<string, string>,
  options: { signal?: NodeJS.Signals; guardMillis?: number } = {},
): Promise<ChildEnd> {
  return new Promise((resolvePromise, reject) => {
    const started = Date.now();
    let signalled: number | undefined;
    const child = spawn(process.execPath, ['-e', program], {
      cwd: ROOT,
      // The transpiled lib finds its one dependency (opentracing) through NODE_PATH.
      env: { ...process.env, ...env, SEXTANT_LIB: lib, NODE_PATH: join(ROOT, 'node_modules') },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const guard = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error('child did not end in time'));
    }, options.guardMillis ?? 20_000);
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => {
      stdout += chunk.toString();
      if (options.signal !== undefined && signalled === undefined && stdout.includes('ready')) {
        signalled = Date.now();
        child.kill(options.signal);
      }
    });
    child.stderr.on('data', (chunk: Buffer) => void (stderr += chunk.toString()));
    child.on('error', reject);
    child.on('close', (code, endSignal) => {
      clearTimeout(guard);
      const end: ChildEnd = { code, signal: endSignal, millis: Date.now() - started, stdout, stderr };
      if (signalled !== undefined) end.millisAfterSignal = Date.now() - signalled;
      resolvePromise(end);
    });
  });
}
