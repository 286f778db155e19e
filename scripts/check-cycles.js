#!/usr/bin/env node
/**
 * Fails when the files under lib/ import each other in a cycle, type-only imports
 * included: every `import`, `export ... from` and `import()` counts. Prints each cycle
 * as the chain of files that closes it.
 *
 *     node scripts/check-cycles.js [dir]
 */
const fs = require('node:fs');
const path = require('node:path');
const ts = require('typescript');

const root = path.resolve(process.argv[2] ?? path.join(__dirname, '..', 'lib'));

function sourceFiles(dir) {
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) return sourceFiles(full);
    return entry.name.endsWith('.ts') && !entry.name.endsWith('.d.ts') ? [full] : [];
  });
}

function resolveImport(from, specifier) {
  if (!specifier.startsWith('.')) return null;
  const base = path.resolve(path.dirname(from), specifier);
  for (const candidate of [`${base}.ts`, path.join(base, 'index.ts'), base.replace(/\.js$/, '.ts')]) {
    if (fs.existsSync(candidate) && fs.statSync(candidate).isFile()) return candidate;
  }
  return null;
}

const files = sourceFiles(root);
const edges = new Map();
for (const file of files) {
  const info = ts.preProcessFile(fs.readFileSync(file, 'utf8'), true, true);
  const targets = info.importedFiles.map((i) => resolveImport(file, i.fileName)).filter((t) => t !== null);
  edges.set(file, [...new Set(targets)]);
}

// Tarjan's strongly connected components: every component of more than one file
// (or a file importing itself) is a cycle.
let index = 0;
const indices = new Map();
const lowlinks = new Map();
const stack = [];
const onStack = new Set();
const cycles = [];
function connect(v) {
  indices.set(v, index);
  lowlinks.set(v, index);
  index++;
  stack.push(v);
  onStack.add(v);
  for (const w of edges.get(v) ?? []) {
    if (!indices.has(w)) {
      connect(w);
      lowlinks.set(v, Math.min(lowlinks.get(v), lowlinks.get(w)));
    } else if (onStack.has(w)) {
      lowlinks.set(v, Math.min(lowlinks.get(v), indices.get(w)));
    }
  }
  if (lowlinks.get(v) === indices.get(v)) {
    const component = [];
    let w;
    do {
      w = stack.pop();
      onStack.delete(w);
      component.push(w);
    } while (w !== v);
    if (component.length > 1 || (edges.get(v) ?? []).includes(v)) cycles.push(component);
  }
}
for (const file of files) if (!indices.has(file)) connect(file);

const show = (file) => path.relative(path.dirname(root), file);
if (cycles.length === 0) {
  console.log(`check-cycles: no import cycles among ${files.length} files in ${show(root)}/`);
  process.exit(0);
}
for (const component of cycles) {
  console.error(`check-cycles: these files import each other in a cycle:\n  ${component.map(show).sort().join('\n  ')}`);
}
process.exit(1);
