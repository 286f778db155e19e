'use strict';
/*
 * Loads the project's TypeScript (lib/ and bench/) the way `ts-node --transpile-only`
 * does: each file is transpiled on its own with typescript.transpileModule, no type
 * check. The output is cached on disk by content hash, because the bench forks a dozen
 * processes and loading the TypeScript compiler costs each of them over a second; with
 * a warm cache a child starts in a tenth of that and never loads TypeScript at all.
 *
 * Use: node -r ./bench/register.js bench/run.ts
 */
const crypto = require('node:crypto');
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');

const ROOT = path.resolve(__dirname, '..');
const CACHE_DIR = path.join(os.tmpdir(), 'sextant-bench-ts-cache');
const TS_VERSION = require('typescript/package.json').version;
// Mirrors tsconfig.json's emit-relevant options.
const COMPILER_OPTIONS = { module: 'commonjs', target: 'es2022', esModuleInterop: true, sourceMap: false };

let ts = null;

function transpile(source, filename) {
  if (ts === null) ts = require('typescript');
  const options = ts.convertCompilerOptionsFromJson(COMPILER_OPTIONS, ROOT).options;
  return ts.transpileModule(source, { compilerOptions: options, fileName: filename }).outputText;
}

/** The CommonJS text of a .ts file, from the cache when its content was seen before. */
function compiled(filename) {
  const source = fs.readFileSync(filename, 'utf8');
  const key = crypto
    .createHash('sha1')
    .update(`${TS_VERSION}\0${JSON.stringify(COMPILER_OPTIONS)}\0${filename}\0${source}`)
    .digest('hex');
  const cached = path.join(CACHE_DIR, `${key}.js`);
  try {
    return fs.readFileSync(cached, 'utf8');
  } catch {
    const output = transpile(source, filename);
    try {
      fs.mkdirSync(CACHE_DIR, { recursive: true });
      // Write then rename: concurrent children never read a half-written file.
      const temporary = `${cached}.${process.pid}.tmp`;
      fs.writeFileSync(temporary, output);
      fs.renameSync(temporary, cached);
    } catch {
      // An unwritable cache only costs speed.
    }
    return output;
  }
}

const previous = require.extensions['.ts'];
require.extensions['.ts'] = function loadTypeScript(module, filename) {
  if (filename.includes(`${path.sep}node_modules${path.sep}`) && previous) return previous(module, filename);
  module._compile(compiled(filename), filename);
};

/** Transpiles every .ts file under `dirs` into the cache (the parent does it once, before forking). */
function warmCache(dirs) {
  for (const dir of dirs) {
    for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
      const full = path.join(dir, entry.name);
      if (entry.isDirectory()) warmCache([full]);
      else if (entry.name.endsWith('.ts') && !entry.name.endsWith('.d.ts')) compiled(full);
    }
  }
}

module.exports = { warmCache, ROOT };
