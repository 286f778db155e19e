import { execFile } from 'node:child_process';
import path from 'node:path';
import { runTwoServices } from '../../samples/express-two-services';

const root = path.resolve(__dirname, '..', '..');

function expectCombinedTree(output: string): void {
  const traces = output.match(/^trace [0-9a-f]{32} · (\d+) spans/gm) ?? [];
  expect(traces).toEqual([expect.stringContaining('· 5 spans')]);
  const lines = output.split('\n');
  const at = (pattern: RegExp) => lines.findIndex((l) => pattern.test(l));
  const server = at(/^ {2}GET \/greet\/:id \(frontend\)/);
  const client = at(/^ {2}├─ GET 127\.0\.0\.1:\d+ \(frontend\)/);
  const downstream = at(/^ {2}│ {2}└─ GET \/users\/:id \(users\)/);
  const query = at(/^ {2}│ {5}└─ db\.find-user \(users\)/);
  const render = at(/^ {2}└─ render-greeting \(frontend\)/);
  expect([server, client, downstream, query, render]).toEqual([server, server + 1, server + 2, server + 3, server + 4]);
  expect(server).toBeGreaterThan(-1);
  expect(output).toContain('frontend answered: Hello, Ada Lovelace!');
}

describe('samples/express-two-services.ts', () => {
  it('prints one trace through both services', async () => {
    let output = '';
    await runTwoServices((text) => (output += text));
    expectCombinedTree(output);
  });
});

describe('npm run demo (samples/demo.ts)', () => {
  it('runs the two-service demo with one command, prints the tree, and exits by itself', async () => {
    const { code, stdout, stderr } = await new Promise<{ code: number | null; stdout: string; stderr: string }>((resolve) => {
      execFile(
        process.execPath,
        [path.join(root, 'node_modules/ts-node/dist/bin.js'), '--transpile-only', 'samples/demo.ts'],
        { cwd: root, timeout: 60_000 },
        (error, out, err) =>
          resolve({ code: error === null ? 0 : typeof error.code === 'number' ? error.code : null, stdout: out, stderr: err }),
      );
    });
    expect(stderr).toBe('');
    expect(code).toBe(0);
    expect(stdout).toMatch(/^sextant demo:/);
    expectCombinedTree(stdout);
  }, 60_000);
});
