import { execFileSync, spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';

const root = resolve(__dirname, '..', '..');
const script = join(root, 'scripts', 'check-cycles.js');

describe('scripts/check-cycles.js', () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'sextant-cycles-'));
    mkdirSync(join(dir, 'sub'));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('passes on lib/', () => {
    const out = execFileSync(process.execPath, [script, join(root, 'lib')], { encoding: 'utf8' });
    expect(out).toMatch(/no import cycles/);
  });

  it('fails on a cycle made only of type imports, naming the files', () => {
    writeFileSync(join(dir, 'a.ts'), "import type { B } from './sub/b';\nexport interface A { b?: B }\n");
    writeFileSync(join(dir, 'sub', 'b.ts'), "import type { A } from '../a';\nexport interface B { a?: A }\n");
    const run = spawnSync(process.execPath, [script, dir], { encoding: 'utf8' });
    expect(run.status).toBe(1);
    expect(run.stderr).toMatch(/a\.ts/);
    expect(run.stderr).toMatch(/sub\/b\.ts/);
  });

  it('follows re-exports and index files', () => {
    writeFileSync(join(dir, 'a.ts'), "export * from './sub';\n");
    writeFileSync(join(dir, 'sub', 'index.ts'), "export { x } from '../a';\n");
    expect(spawnSync(process.execPath, [script, dir], { encoding: 'utf8' }).status).toBe(1);
  });
});
