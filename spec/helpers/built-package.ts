import { spawn, type ChildProcess } from 'node:child_process';
import { copyFileSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, relative, resolve } from 'node:path';
import ts from 'typescript';

const root = resolve(__dirname, '..', '..');

function sources(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const full = join(dir, entry.name);
    if (entry.isDirectory()) return sources(full);
    return entry.name.endsWith('.ts') ? [full] : [];
  });
}

/**
 * lib/ as an installed package, `<dir>/node_modules/sextant` (dist/ transpiled file by
 * file, the real package.json with its `exports`), with opentracing and express linked
 * beside it. Built in a temporary directory, never in the worktree's dist/ (which
 * `npm pack` in another spec may be rebuilding at the same moment). Returns `<dir>`.
 */
export function buildPackage(): string {
  const dir = mkdtempSync(join(tmpdir(), 'sextant-built-'));
  const packageDir = join(dir, 'node_modules', 'sextant');
  const options: ts.CompilerOptions = { module: ts.ModuleKind.CommonJS, target: ts.ScriptTarget.ES2022, esModuleInterop: true };
  for (const file of sources(join(root, 'lib'))) {
    const out = join(packageDir, 'dist', relative(join(root, 'lib'), file).replace(/\.ts$/, '.js'));
    mkdirSync(dirname(out), { recursive: true });
    writeFileSync(out, ts.transpileModule(readFileSync(file, 'utf8'), { compilerOptions: options, fileName: file }).outputText);
  }
  copyFileSync(join(root, 'package.json'), join(packageDir, 'package.json'));
  for (const dependency of ['opentracing', 'express']) {
    symlinkSync(join(root, 'node_modules', dependency), join(dir, 'node_modules', dependency), 'dir');
  }
  return dir;
}

/** A service started as a child process: its URL once it printed `listening on <url>`, and its output. */
export interface Service {
  url: string;
  child: ChildProcess;
  output(): string;
  /** SIGTERM (sextant flushes on it), then waits for the exit; SIGKILL after `graceMillis` */
  stop(graceMillis?: number): Promise<number | string | null>;
}

/** Starts `node <flags> <script>` in `cwd` and resolves once it prints `listening on http://...`. */
export function startService(cwd: string, flags: string[], script: string, env: NodeJS.ProcessEnv): Promise<Service> {
  const cleanEnv = Object.fromEntries(Object.entries(process.env).filter(([k]) => !k.startsWith('OTEL_')));
  const child = spawn(process.execPath, [...flags, script], { cwd, env: { ...cleanEnv, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  child.stdout!.setEncoding('utf8').on('data', (chunk: string) => (output += chunk));
  child.stderr!.setEncoding('utf8').on('data', (chunk: string) => (output += chunk));
  const exited = new Promise<number | string | null>((resolve) => child.once('exit', (code, signal) => resolve(code ?? signal)));
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`${script} did not start: ${output}`));
    }, 20_000);
    const check = (): void => {
      const match = /listening on (http:\/\/\S+)/.exec(output);
      if (match === null) return;
      clearTimeout(timer);
      child.stdout!.off('data', check);
      resolve({
        url: match[1],
        child,
        output: () => output,
        stop: async (graceMillis = 15_000) => {
          if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
          const killer = setTimeout(() => child.kill('SIGKILL'), graceMillis);
          const status = await exited;
          clearTimeout(killer);
          return status;
        },
      });
    };
    child.stdout!.on('data', check);
    void exited.then(() => {
      clearTimeout(timer);
      reject(new Error(`${script} exited before listening: ${output}`));
    });
  });
}
