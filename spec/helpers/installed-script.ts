import { mkdirSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import { basename, dirname, join, resolve } from 'node:path';
import ts from 'typescript';

const root = resolve(__dirname, '..', '..');

/**
 * Installs a TypeScript program of this repository (a fixture, a sample) beside the
 * package `buildPackage()` made in `dir`, as a user who copied it would have it:
 * transpiled to CommonJS, its imports of lib/ (`'../lib'`, `'../../../lib'`) turned into
 * `require('sextant')`, so it loads the same copy of sextant as `--require sextant/register`.
 * Returns the path of the installed `.js` file.
 */
export function installScript(dir: string, source: string): string {
  const file = resolve(root, source);
  const options: ts.CompilerOptions = { module: ts.ModuleKind.CommonJS, target: ts.ScriptTarget.ES2022, esModuleInterop: true };
  const output = ts.transpileModule(readFileSync(file, 'utf8'), { compilerOptions: options, fileName: file }).outputText;
  const installed = join(dir, basename(file).replace(/\.ts$/, '.js'));
  writeFileSync(installed, output.replace(/require\("(?:\.\.\/)+lib"\)/g, 'require("sextant")'));
  return installed;
}

/** Links packages of this repository's node_modules into `<dir>/node_modules` (scoped names too). */
export function linkPackages(dir: string, names: string[]): void {
  for (const name of names) {
    const target = join(dir, 'node_modules', name);
    mkdirSync(dirname(target), { recursive: true });
    symlinkSync(join(root, 'node_modules', name), target, 'dir');
  }
}
