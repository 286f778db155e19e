/**
 * The W3C Trace Context test suite's cases (strict level 2, spec level 2), said again in
 * our own terms and run the same way: real HTTP against samples/w3c-test-service.ts, with
 * a callback server standing in for the suite's harness.
 */
import * as http from 'node:http';
import type { AddressInfo } from 'node:net';
import { Tracer } from '../../lib';
import { startW3CTestService } from '../../samples/w3c-test-service';

const TRACE = '12345678901234567890123456789012';
const PARENT = '1234567890123456';
const VALID = `00-${TRACE}-${PARENT}-01`;
const UNSAMPLED = `00-${TRACE}-${PARENT}-00`;

type HeaderList = [string, string][];

interface Callback {
  traceparent: string[];
  tracestate: string[];
}

let service: http.Server;
let harness: http.Server;
let serviceUrl: string;
let harnessUrl: string;
const callbacks = new Map<string, Callback>();
let sequence = 0;

beforeAll(async () => {
  service = await startW3CTestService(new Tracer({ serviceName: 'w3c-spec' }));
  serviceUrl = `http://127.0.0.1:${(service.address() as AddressInfo).port}/test`;
  harness = http.createServer((req, res) => {
    const seen: Callback = { traceparent: [], tracestate: [] };
    for (let i = 0; i < req.rawHeaders.length; i += 2) {
      const name = req.rawHeaders[i].toLowerCase();
      if (name === 'traceparent' || name === 'tracestate') seen[name].push(req.rawHeaders[i + 1]);
    }
    callbacks.set(req.url ?? '', seen);
    req.resume();
    req.on('end', () => res.writeHead(200, { 'content-type': 'application/json' }).end('null'));
  });
  await new Promise<void>((resolve) => harness.listen(0, '127.0.0.1', resolve));
  harnessUrl = `http://127.0.0.1:${(harness.address() as AddressInfo).port}`;
});

afterAll(async () => {
  await Promise.all([service, harness].map((s) => new Promise((resolve) => s.close(resolve))));
});

/** Sends `headers` to the service, asking for `count` callbacks; returns what each callback carried. */
async function roundTrip(headers: HeaderList, count = 1): Promise<Callback[]> {
  const id = ++sequence;
  const paths = Array.from({ length: count }, (_, i) => `/callback/${id}.${i}`);
  const body = JSON.stringify(paths.map((path) => ({ url: harnessUrl + path, arguments: [] })));
  // Headers given as a list go out exactly as listed (names, casing, repeats), Host included.
  const raw: string[] = [
    'host',
    new URL(serviceUrl).host,
    'content-type',
    'application/json',
    'content-length',
    String(Buffer.byteLength(body)),
  ];
  for (const [name, value] of headers) raw.push(name, value);
  const status = await new Promise<number>((resolve, reject) => {
    const req = http.request(serviceUrl, { method: 'POST', headers: raw }, (res) => {
      res.resume();
      res.on('end', () => resolve(res.statusCode ?? 0));
    });
    req.on('error', reject);
    req.end(body);
  });
  expect(status).toBe(200);
  return paths.map((path) => {
    const seen = callbacks.get(path);
    if (seen === undefined) throw new Error(`the service made no callback to ${path}`);
    return seen;
  });
}

interface Traceparent {
  traceId: string;
  parentId: string;
  flags: number;
}

/** The one traceparent a callback carried, checked against the version 00 format. */
function traceparentOf(callback: Callback): Traceparent {
  expect(callback.traceparent).toHaveLength(1);
  const [version, traceId, parentId, flags, ...rest] = callback.traceparent[0].split('-');
  expect(rest).toEqual([]);
  expect(version).toBe('00');
  expect(traceId).toMatch(/^[0-9a-f]{32}$/);
  expect(parentId).toMatch(/^[0-9a-f]{16}$/);
  expect(flags).toMatch(/^[0-9a-f]{2}$/);
  expect(traceId).not.toBe('0'.repeat(32));
  expect(parentId).not.toBe('0'.repeat(16));
  return { traceId, parentId, flags: parseInt(flags, 16) };
}

/** The tracestate a callback carried, as ordered [key, value] pairs. */
function tracestateOf(callback: Callback): [string, string][] {
  const pairs: [string, string][] = [];
  for (const header of callback.tracestate) {
    for (const member of header.split(/[ \t]*,[ \t]*/)) {
      if (member === '') continue;
      const eq = member.indexOf('=');
      pairs.push([member.slice(0, eq), member.slice(eq + 1)]);
    }
  }
  return pairs;
}

async function single(headers: HeaderList): Promise<{ traceparent: Traceparent; tracestate: [string, string][] }> {
  const [callback] = await roundTrip(headers);
  return { traceparent: traceparentOf(callback), tracestate: tracestateOf(callback) };
}

describe('traceparent that continues the trace', () => {
  const continued: [string, HeaderList][] = [
    ['a plain valid header', [['traceparent', VALID]]],
    ['the name in mixed case', [['TraceParent', VALID]]],
    ['the name in odd case', [['TrAcEpArEnT', VALID]]],
    ['the name in upper case', [['TRACEPARENT', VALID]]],
    ['a leading space', [['traceparent', ` ${VALID}`]]],
    ['a leading tab', [['traceparent', `\t${VALID}`]]],
    ['a trailing space', [['traceparent', `${VALID} `]]],
    ['a trailing tab', [['traceparent', `${VALID}\t`]]],
    ['whitespace on both sides', [['traceparent', `\t ${VALID} \t`]]],
    ['a future version', [['traceparent', `cc-${TRACE}-${PARENT}-01`]]],
    ['a future version with more fields', [['traceparent', `cc-${TRACE}-${PARENT}-01-what-the-future-will-be-like`]]],
  ];
  test.each(continued)('%s keeps the trace id and gets a new parent id', async (_name, headers) => {
    const { traceparent } = await single(headers);
    expect(traceparent.traceId).toBe(TRACE);
    expect(traceparent.parentId).not.toBe(PARENT);
  });
});

describe('traceparent that restarts the trace', () => {
  const restarted: [string, HeaderList][] = [
    ['no header at all', []],
    [
      'two traceparent headers',
      [
        ['traceparent', `00-${TRACE.slice(0, -1)}1-${PARENT}-01`],
        ['traceparent', VALID],
      ],
    ],
    ['the name trace-parent', [['trace-parent', VALID]]],
    ['the name trace.parent', [['trace.parent', VALID]]],
    ['version 00 with a trailing dot', [['traceparent', `${VALID}.`]]],
    ['version 00 with extra fields', [['traceparent', `${VALID}-what-the-future-will-be-like`]]],
    ['a future version whose flags run on', [['traceparent', `cc-${TRACE}-${PARENT}-01.what-the-future-will-be-like`]]],
    ['version ff', [['traceparent', `ff-${TRACE}-${PARENT}-01`]]],
    ['a dot first in the version', [['traceparent', `.0-${TRACE}-${PARENT}-01`]]],
    ['a dot second in the version', [['traceparent', `0.-${TRACE}-${PARENT}-01`]]],
    ['a 3-digit version', [['traceparent', `000-${TRACE}-${PARENT}-01`]]],
    ['a 4-digit version', [['traceparent', `0000-${TRACE}-${PARENT}-01`]]],
    ['a 1-digit version', [['traceparent', `0-${TRACE}-${PARENT}-01`]]],
    ['an all-zero trace id', [['traceparent', `00-${'0'.repeat(32)}-${PARENT}-01`]]],
    ['a dot first in the trace id', [['traceparent', `00-.${TRACE.slice(1)}-${PARENT}-01`]]],
    ['a dot last in the trace id', [['traceparent', `00-${TRACE.slice(0, -1)}.-${PARENT}-01`]]],
    ['a 33-digit trace id', [['traceparent', `00-${TRACE}3-${PARENT}-01`]]],
    ['a 31-digit trace id', [['traceparent', `00-${TRACE.slice(0, -1)}-${PARENT}-01`]]],
    ['an upper-case trace id', [['traceparent', `00-${'ABCDEF'.repeat(5)}AB-${PARENT}-01`]]],
    ['an all-zero parent id', [['traceparent', `00-${TRACE}-${'0'.repeat(16)}-01`]]],
    ['a dot first in the parent id', [['traceparent', `00-${TRACE}-.${PARENT.slice(1)}-01`]]],
    ['a dot last in the parent id', [['traceparent', `00-${TRACE}-${PARENT.slice(0, -1)}.-01`]]],
    ['a 17-digit parent id', [['traceparent', `00-${TRACE}-${PARENT}7-01`]]],
    ['a 15-digit parent id', [['traceparent', `00-${TRACE}-${PARENT.slice(0, -1)}-01`]]],
    ['a dot first in the flags', [['traceparent', `00-${TRACE}-${PARENT}-.0`]]],
    ['a dot last in the flags', [['traceparent', `00-${TRACE}-${PARENT}-0.`]]],
    ['3-digit flags', [['traceparent', `00-${TRACE}-${PARENT}-001`]]],
    ['1-digit flags', [['traceparent', `00-${TRACE}-${PARENT}-1`]]],
  ];
  test.each(restarted)('%s yields a valid header with a new trace id', async (_name, headers) => {
    const { traceparent } = await single(headers);
    expect(traceparent.traceId).not.toBe(TRACE);
    expect(traceparent.traceId).not.toBe(`${TRACE.slice(0, -1)}1`);
  });
});

describe('trace flags', () => {
  test('the sampled flag travels: 01 stays sampled, 00 stays unsampled', async () => {
    expect((await single([['traceparent', VALID]])).traceparent.flags & 1).toBe(1);
    expect((await single([['traceparent', UNSAMPLED]])).traceparent.flags & 1).toBe(0);
  });

  test('Level 2: the random-trace-id flag received is passed on with the same trace id', async () => {
    const { traceparent } = await single([['traceparent', `00-${TRACE}-${PARENT}-02`]]);
    expect(traceparent.traceId).toBe(TRACE);
    expect(traceparent.parentId).not.toBe(PARENT);
    expect(traceparent.flags & 2).toBe(2);
    expect(traceparent.flags & 1).toBe(0);
  });

  test('the random flag is not invented for a trace that arrived without it', async () => {
    expect((await single([['traceparent', VALID]])).traceparent.flags & 2).toBe(0);
  });
});

describe('tracestate', () => {
  const KEY_CHARS = 'abcdefghijklmnopqrstuvwxyz0123456789_-*/';
  let printable = '';
  for (let c = 0x20; c <= 0x7e; c++) if (c !== 0x2c && c !== 0x3d) printable += String.fromCharCode(c);
  const count = (n: number): string =>
    Array.from({ length: n }, (_, i) => `bar${String(i + 1).padStart(2, '0')}=${String(i + 1).padStart(2, '0')}`).join(',');

  const kept: [string, HeaderList, [string, string][]][] = [
    [
      'sent with a traceparent',
      [['tracestate', 'foo=1,bar=2']],
      [
        ['foo', '1'],
        ['bar', '2'],
      ],
    ],
    ['named TraceState', [['TraceState', 'foo=1']], [['foo', '1']]],
    ['named TrAcEsTaTe', [['TrAcEsTaTe', 'foo=1']], [['foo', '1']]],
    ['named TRACESTATE', [['TRACESTATE', 'foo=1']], [['foo', '1']]],
    [
      'with an empty header after it',
      [
        ['tracestate', 'foo=1'],
        ['tracestate', ''],
      ],
      [['foo', '1']],
    ],
    [
      'with an empty header before it',
      [
        ['tracestate', ''],
        ['tracestate', 'foo=1'],
      ],
      [['foo', '1']],
    ],
    [
      'in several headers, combined in order',
      [
        ['tracestate', 'foo=1,bar=2'],
        ['tracestate', 'rojo=1,congo=2'],
        ['tracestate', 'baz=3'],
      ],
      [
        ['foo', '1'],
        ['bar', '2'],
        ['rojo', '1'],
        ['congo', '2'],
        ['baz', '3'],
      ],
    ],
    [
      'with a duplicated key in one header',
      [['tracestate', 'foo=1,foo=1']],
      [
        ['foo', '1'],
        ['foo', '1'],
      ],
    ],
    [
      'with a duplicated key across headers',
      [
        ['tracestate', 'foo=1'],
        ['tracestate', 'foo=2'],
      ],
      [
        ['foo', '1'],
        ['foo', '2'],
      ],
    ],
    ['with every character a key and value may hold', [['tracestate', `${KEY_CHARS}=${printable}`]], [[KEY_CHARS, printable]]],
    [
      'with a vendor key holding every key character',
      [['tracestate', `${KEY_CHARS}@a-z0-9_-*/=${printable}`]],
      [[`${KEY_CHARS}@a-z0-9_-*/`, printable]],
    ],
    [
      'with spaces and tabs around commas',
      [['tracestate', 'foo=1 \t , \t bar=2, \t baz=3']],
      [
        ['foo', '1'],
        ['bar', '2'],
        ['baz', '3'],
      ],
    ],
    [
      'with tabs and spaces around commas',
      [['tracestate', 'foo=1\t \t,\t \tbar=2,\t \tbaz=3']],
      [
        ['foo', '1'],
        ['bar', '2'],
        ['baz', '3'],
      ],
    ],
    ['with a leading space', [['tracestate', ' foo=1']], [['foo', '1']]],
    ['with a leading tab', [['tracestate', '\tfoo=1']], [['foo', '1']]],
    ['with a trailing space', [['tracestate', 'foo=1 ']], [['foo', '1']]],
    ['with a trailing tab', [['tracestate', 'foo=1\t']], [['foo', '1']]],
    ['with whitespace on both sides', [['tracestate', '\t foo=1 \t']], [['foo', '1']]],
    [
      'with a key ending in @',
      [['tracestate', 'foo@=1,bar=2']],
      [
        ['foo@', '1'],
        ['bar', '2'],
      ],
    ],
    [
      'with a key holding @@',
      [['tracestate', 'foo@@bar=1,bar=2']],
      [
        ['foo@@bar', '1'],
        ['bar', '2'],
      ],
    ],
    [
      'with a key holding two @',
      [['tracestate', 'foo@bar@baz=1,bar=2']],
      [
        ['foo@bar@baz', '1'],
        ['bar', '2'],
      ],
    ],
    [
      'with 32 members in four headers',
      count(32)
        .split(/(?<=10),|(?<=20),|(?<=30),/)
        .map((h) => ['tracestate', h] as [string, string]),
      count(32)
        .split(',')
        .map((m) => m.split('=') as [string, string]),
    ],
    [
      'with a 256-character key',
      [
        ['tracestate', 'foo=1'],
        ['tracestate', `${'z'.repeat(256)}=1`],
      ],
      [
        ['foo', '1'],
        ['z'.repeat(256), '1'],
      ],
    ],
    [
      'with a 256-character vendor key',
      [
        ['tracestate', 'foo=1'],
        ['tracestate', `${'t'.repeat(241)}@${'v'.repeat(14)}=1`],
      ],
      [
        ['foo', '1'],
        [`${'t'.repeat(241)}@${'v'.repeat(14)}`, '1'],
      ],
    ],
    [
      'with a long tenant',
      [
        ['tracestate', 'foo=1'],
        ['tracestate', `${'t'.repeat(242)}@v=1`],
      ],
      [
        ['foo', '1'],
        [`${'t'.repeat(242)}@v`, '1'],
      ],
    ],
    [
      'with a long system id',
      [
        ['tracestate', 'foo=1'],
        ['tracestate', `t@${'v'.repeat(15)}=1`],
      ],
      [
        ['foo', '1'],
        [`t@${'v'.repeat(15)}`, '1'],
      ],
    ],
  ];
  test.each(kept)('is passed on when %s', async (_name, headers, expected) => {
    const { traceparent, tracestate } = await single([['traceparent', UNSAMPLED], ...headers]);
    expect(traceparent.traceId).toBe(TRACE);
    expect(tracestate).toEqual(expected);
  });

  const dropped: [string, HeaderList][] = [
    ['named trace-state', [['trace-state', 'foo=1']]],
    ['named trace.state', [['trace.state', 'foo=1']]],
    ['empty', [['tracestate', '']]],
    ['a key with a trailing space', [['tracestate', 'foo =1']]],
    ['an upper-case key', [['tracestate', 'FOO=1']]],
    ['a key with a dot', [['tracestate', 'foo.bar=1']]],
    ['a key starting with @', [['tracestate', '@foo=1,bar=2']]],
    [
      '33 members',
      count(33)
        .split(/(?<=10),|(?<=20),|(?<=30),/)
        .map((h) => ['tracestate', h] as [string, string]),
    ],
    [
      'a 257-character key',
      [
        ['tracestate', 'foo=1'],
        ['tracestate', `${'z'.repeat(257)}=1`],
      ],
    ],
    ['a value holding =', [['tracestate', 'foo=bar=baz']]],
    ['an empty value', [['tracestate', 'foo=,bar=3']]],
  ];
  test.each(dropped)('is dropped whole when it has %s', async (_name, headers) => {
    const { traceparent, tracestate } = await single([['traceparent', UNSAMPLED], ...headers]);
    expect(traceparent.traceId).toBe(TRACE);
    expect(tracestate).toEqual([]);
  });

  test('is dropped when it comes without a traceparent', async () => {
    expect((await single([['tracestate', 'foo=1']])).tracestate).toEqual([]);
    expect((await single([['tracestate', 'foo=1,bar=2']])).tracestate).toEqual([]);
  });
});

describe('several callbacks from one request', () => {
  test('share the incoming trace id, each with its own parent id', async () => {
    const parents = (await roundTrip([['traceparent', VALID]], 3)).map(traceparentOf);
    expect(new Set(parents.map((p) => p.traceId))).toEqual(new Set([TRACE]));
    expect(new Set(parents.map((p) => p.parentId)).size).toBe(3);
  });

  test('without a traceparent, still get a parent id each', async () => {
    const parents = (await roundTrip([], 3)).map(traceparentOf);
    expect(new Set(parents.map((p) => p.traceId)).size).toBe(1);
    expect(new Set(parents.map((p) => p.parentId)).size).toBe(3);
  });

  test('with an invalid traceparent, start a new trace and still get a parent id each', async () => {
    const parents = (await roundTrip([['traceparent', `00-${'0'.repeat(32)}-${PARENT}-01`]], 3)).map(traceparentOf);
    expect(parents.map((p) => p.traceId)).not.toContain('0'.repeat(32));
    expect(new Set(parents.map((p) => p.parentId)).size).toBe(3);
  });
});
