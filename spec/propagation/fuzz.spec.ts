/**
 * Property-based fuzzing of every extractor and injector: whatever a network or a caller
 * hands over, extract returns null or a valid context and leaves Object.prototype alone;
 * inject writes only legal header names and values; what goes out comes back.
 */
import { validateHeaderName, validateHeaderValue } from 'node:http';
import fc from 'fast-check';
import * as opentracing from 'opentracing';
import { SpanContext, Tracer } from '../../lib';
import type { PropagationName } from '../../lib';
import { normalizeTraceState } from '../../lib/propagation/trace-state';

/** `Tracer.extract` is typed as OpenTracing's; the context it returns is sextant's. */

const HTTP = opentracing.FORMAT_HTTP_HEADERS;
const BINARY = opentracing.FORMAT_BINARY;
const TRACE = '4bf92f3577b34da6a3ce929d0e0e4736';
const SPAN = '00f067aa0ba902b7';
const ALL: PropagationName[] = ['tracecontext', 'baggage', 'jaeger', 'b3multi', 'b3', 'ottrace', 'xray'];
/** Formats without a debug flag: debug travels as sampled. */
const NO_DEBUG_FLAG = new Set<PropagationName>(['tracecontext', 'ottrace', 'xray']);

const tracers: Record<string, Tracer> = {};
for (const name of ALL)
  tracers[name] = new Tracer({ serviceName: 'fuzz', propagation: name === 'baggage' ? ['tracecontext', 'baggage'] : [name] });
const everything = new Tracer({ serviceName: 'fuzz', propagation: ALL });

/** Valid headers of every format, to mutate. */
const VALID: Record<string, string> = {
  traceparent: `00-${TRACE}-${SPAN}-01`,
  tracestate: 'rojo=00f067aa0ba902b7,congo=t61rcWkgMzE',
  baggage: 'userId=alice,serverNode=DF%2028;prop=1,isProduction=false',
  'uber-trace-id': `${TRACE}:${SPAN}:0:3`,
  'uberctx-tenant': 'acme%20corp',
  'jaeger-baggage': 'k1=v1, k2=v2',
  'x-b3-traceid': TRACE,
  'x-b3-spanid': SPAN,
  'x-b3-parentspanid': SPAN,
  'x-b3-sampled': '1',
  'x-b3-flags': '1',
  b3: `${TRACE}-${SPAN}-1-${SPAN}`,
  'ot-tracer-traceid': TRACE,
  'ot-tracer-spanid': SPAN,
  'ot-tracer-sampled': 'true',
  'ot-baggage-tenant': 'acme corp',
  'x-amzn-trace-id': `Root=1-${TRACE.slice(0, 8)}-${TRACE.slice(8)};Parent=${SPAN};Sampled=1;Lineage=a87bd80c:1`,
};
const NAMES = [
  ...Object.keys(VALID),
  'TraceParent',
  'UBERCTX-X',
  'X-B3-TraceId',
  'OT-Baggage-__proto__',
  'ot-baggage-constructor',
  'X-Amzn-Trace-Id',
  '__proto__',
  'constructor',
  'prototype',
  'toString',
  'get',
];

const wireChar = fc.constantFrom(...'0123456789abcdefABCDEF-:=,; \t%@_*/.dxzRPS?'.split(''), '\r', '\n', '\u0000', 'é', '\ud800');
const wireString = fc.string({ unit: wireChar, maxLength: 80 });
const headerValue = fc.oneof(wireString, fc.array(wireString, { maxLength: 4 }), fc.anything({ maxDepth: 1 }));
const anyUnit = fc.integer({ min: 0, max: 0xffff }).map((c) => String.fromCharCode(c));
const anyString = fc.string({ unit: fc.oneof(anyUnit, fc.constantFrom('\r', '\n', '%', ',', ';', '=', ' ', '😀')), maxLength: 20 });

/** A valid header with random insertions, deletions and replacements. */
const mutatedHeaders = fc
  .tuple(
    fc.subarray(Object.keys(VALID), { minLength: 1 }),
    fc.array(fc.record({ at: fc.nat(200), op: fc.constantFrom('insert', 'delete', 'replace'), char: wireChar }), { maxLength: 4 }),
  )
  .map(([names, edits]) => {
    const headers: Record<string, string> = {};
    for (const name of names) {
      let value = VALID[name];
      for (const { at, op, char } of edits) {
        const i = at % (value.length + 1);
        value =
          op === 'insert'
            ? value.slice(0, i) + char + value.slice(i)
            : op === 'delete'
              ? value.slice(0, i) + value.slice(i + 1)
              : value.slice(0, i) + char + value.slice(i + 1);
      }
      headers[name] = value;
    }
    return headers;
  });

/**
 * A carrier with a get() whose keys() is hostile: it yields junk forever (non-strings
 * included), throws, or returns something that is not an iterator.
 */
const hostileKeys = fc
  .tuple(
    mutatedHeaders,
    fc.constantFrom('endless-junk', 'endless-strings', 'throws', 'junk-iterator', 'next-throws'),
    fc.array(fc.oneof(fc.anything(), fc.constant(Symbol('k'))), { minLength: 1, maxLength: 5 }),
  )
  .map(([headers, kind, junk]) => ({
    get: (name: string) => headers[name],
    keys(): unknown {
      if (kind === 'throws') throw new Error('keys');
      if (kind === 'junk-iterator') return junk[0];
      if (kind === 'next-throws') {
        return {
          [Symbol.iterator]: () => ({
            next: () => {
              throw new Error('next');
            },
          }),
        };
      }
      return (function* () {
        for (let i = 0; ; i++) yield kind === 'endless-strings' ? `ot-baggage-${i}` : junk[i % junk.length];
      })();
    },
  }));

const carriers = fc.oneof(
  fc.anything(),
  hostileKeys,
  fc.dictionary(fc.constantFrom(...NAMES), headerValue),
  fc.dictionary(fc.constantFrom(...NAMES), headerValue).map((d) => new Map(Object.entries(d))),
  mutatedHeaders,
  // fetch Headers refuses values a network could not carry: keep those that are legal
  mutatedHeaders.map((h) => new Headers(Object.entries(h).filter(([, v]) => /^[\t\x20-\x7e]*$/.test(v)))),
);

const PROTOTYPE_NAMES = Object.getOwnPropertyNames(Object.prototype).sort().join();
const PROBES = [...NAMES, 'polluted', 'k', 'tenant'].filter((name) => !(name in Object.prototype));
const ID32 = /^(?!0{32})[0-9a-f]{32}$/;
const ID16 = /^(?!0{16})[0-9a-f]{16}$/;

/** Plain checks rather than expect(): they run thousands of times. */
function isValidOrNull(ctx: unknown): boolean {
  if (ctx === null) return true;
  if (!(ctx instanceof SpanContext)) return false;
  if (!ID32.test(ctx.traceId) || !ID16.test(ctx.spanId) || ctx.remote !== true || typeof ctx.sampled !== 'boolean') return false;
  if (ctx.traceState !== undefined && !/^[\x20-\x7e]+$/.test(ctx.traceState)) return false;
  return Object.keys(ctx.baggage).every((key) => typeof ctx.baggage[key] === 'string');
}

function prototypeUntouched(): boolean {
  const probe = {} as Record<string, unknown>;
  return (
    Object.getOwnPropertyNames(Object.prototype).sort().join() === PROTOTYPE_NAMES && PROBES.every((name) => probe[name] === undefined)
  );
}

const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g;
const wellFormed = (s: string): string => s.replace(LONE_SURROGATE, '\uFFFD');

describe.each(ALL)('extract with %s', (name) => {
  test('returns null or a valid context for any carrier, never throws, never touches Object.prototype', () => {
    fc.assert(
      fc.property(carriers, (carrier) => {
        return isValidOrNull(tracers[name].extract(HTTP, carrier)) && prototypeUntouched();
      }),
      { numRuns: 300 },
    );
  });
});

describe('extract with every format at once', () => {
  test('mutated headers of every format give null or a valid context', () => {
    fc.assert(
      fc.property(mutatedHeaders, (headers) => {
        return isValidOrNull(everything.extract(HTTP, headers)) && prototypeUntouched();
      }),
      { numRuns: 500 },
    );
  });
});

describe('binary extract', () => {
  test('returns null or a valid context for any bytes or carrier', () => {
    const valid = everything;
    const carrier = new opentracing.BinaryCarrier([]);
    valid.inject(
      new SpanContext({ traceId: TRACE, spanId: SPAN, sampled: true, baggage: { k: 'v' }, debug: true, traceState: 'a=1' }),
      BINARY,
      carrier,
    );
    const good = Array.from(carrier.buffer as Buffer);
    const bytes = fc.oneof(
      fc.uint8Array({ maxLength: 80 }),
      fc.array(fc.nat(255), { maxLength: 80 }).map((tail) => Uint8Array.from([...good.slice(0, 29), ...tail])),
      fc.tuple(fc.nat(good.length - 1), fc.nat(255)).map(([i, b]) => Uint8Array.from(good.map((x, j) => (j === i ? b : x)))),
      fc.nat(good.length).map((n) => Uint8Array.from(good.slice(0, n))),
    );
    fc.assert(
      fc.property(
        fc.oneof(
          bytes.map((buffer) => ({ buffer })),
          fc.anything(),
        ),
        (c) => {
          return isValidOrNull(valid.extract(BINARY, c)) && prototypeUntouched();
        },
      ),
      { numRuns: 500 },
    );
  });
});

describe('inject', () => {
  const baggages = fc.dictionary(
    anyString.filter((k) => k.length > 0),
    anyString,
    { maxKeys: 12 },
  );

  test('writes only legal header names and values, whatever the baggage', () => {
    fc.assert(
      fc.property(baggages, fc.boolean(), fc.boolean(), (baggage, sampled, debug) => {
        const headers: Record<string, string> = {};
        everything.inject(new SpanContext({ traceId: TRACE, spanId: SPAN, sampled, baggage, debug }), HTTP, headers);
        for (const [name, value] of Object.entries(headers)) {
          if (!/^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/.test(name) || !/^[\x20-\x7e]*$/.test(value)) return false;
          validateHeaderName(name); // throws, failing the property, on an illegal name
          validateHeaderValue(name, value);
        }
        return true;
      }),
      { numRuns: 300 },
    );
  });

  test('ottrace baggage comes back as it went, for the items it can carry as they are', () => {
    const token = /^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/;
    const plainValue = /^(?:[\x21-\x7e](?:[\x20-\x7e]*[\x21-\x7e])?)?$/;
    fc.assert(
      fc.property(baggages, (baggage) => {
        const headers: Record<string, string> = {};
        tracers.ottrace.inject(
          new SpanContext({ traceId: TRACE, spanId: SPAN, sampled: true, baggage }),
          opentracing.FORMAT_TEXT_MAP,
          headers,
        );
        const expected: Record<string, string> = {};
        for (const key of Object.keys(baggage)) if (token.test(key) && plainValue.test(baggage[key])) expected[key] = baggage[key];
        expect({ ...tracers.ottrace.extract(opentracing.FORMAT_TEXT_MAP, headers)?.baggage }).toEqual(expected);
      }),
      { numRuns: 300 },
    );
  });

  test('W3C baggage and jaeger baggage come back as they went (lone surrogates as U+FFFD)', () => {
    fc.assert(
      fc.property(baggages, fc.constantFrom('baggage', 'jaeger'), (baggage, format) => {
        const t = tracers[format];
        const headers: Record<string, string> = {};
        t.inject(new SpanContext({ traceId: TRACE, spanId: SPAN, sampled: true, baggage }), HTTP, headers);
        const expected: Record<string, string> = {};
        for (const key of Object.keys(baggage)) expected[wellFormed(key)] = wellFormed(baggage[key]);
        expect({ ...t.extract(HTTP, headers)?.baggage }).toEqual(expected);
      }),
      { numRuns: 300 },
    );
  });

  const hex = (n: number): fc.Arbitrary<string> =>
    fc.string({ unit: fc.constantFrom(...'0123456789abcdef'.split('')), minLength: n, maxLength: n }).filter((s) => !/^0+$/.test(s));
  const contexts = fc.record({
    traceId: fc.oneof(
      hex(32),
      hex(16).map((s) => s.padStart(32, '0')),
    ),
    spanId: hex(16),
    sampled: fc.boolean(),
    debug: fc.boolean(),
    random: fc.boolean(),
  });

  test.each(ALL.filter((n) => n !== 'baggage'))('%s: ids and sampling come back as they went', (format) => {
    fc.assert(
      fc.property(contexts, ({ traceId, spanId, sampled, debug, random }) => {
        const t = tracers[format];
        const headers: Record<string, string> = {};
        t.inject(new SpanContext({ traceId, spanId, sampled, debug, remote: false, randomTraceId: random }), HTTP, headers);
        const ctx = t.extract(HTTP, headers);
        // W3C, ottrace and X-Ray have no debug flag: debug travels as sampled
        expect(ctx).toMatchObject({ traceId, spanId, sampled: sampled || debug, debug: NO_DEBUG_FLAG.has(format) ? false : debug });
      }),
      { numRuns: 200 },
    );
  });

  test('binary: everything comes back as it went', () => {
    const states = fc.option(fc.constantFrom('rojo=1', 'a=1,b=2', 'x@y=  z'), { nil: undefined });
    fc.assert(
      fc.property(contexts, baggages, states, ({ traceId, spanId, sampled, debug, random }, baggage, state) => {
        const carrier = { buffer: null as unknown };
        everything.inject(
          new SpanContext({ traceId, spanId, sampled, baggage, debug, traceState: state, remote: false, randomTraceId: random }),
          BINARY,
          carrier,
        );
        const expected: Record<string, string> = {};
        for (const key of Object.keys(baggage)) expected[wellFormed(key)] = wellFormed(baggage[key]);
        const ctx = everything.extract(BINARY, carrier);
        expect(ctx).toMatchObject({ traceId, spanId, sampled: sampled || debug, debug, randomTraceId: random, traceState: state });
        expect({ ...ctx?.baggage }).toEqual(expected);
      }),
      { numRuns: 200 },
    );
  });
});

describe('tracestate', () => {
  const key = fc.stringMatching(/^[a-z0-9][a-z0-9_\-*/@]{0,12}$/);
  const value = fc.stringMatching(/^[\x20-\x2b\x2d-\x3c\x3e-\x7e]{0,8}[\x21-\x2b\x2d-\x3c\x3e-\x7e]$/);
  const ows = fc.stringMatching(/^[ \t]{0,3}$/);

  test('any valid list, with any optional whitespace and empty members, is passed on as its members', () => {
    fc.assert(
      fc.property(fc.array(fc.tuple(key, value, ows, ows, fc.boolean()), { minLength: 1, maxLength: 32 }), (members) => {
        const raw = members.map(([k, v, before, after, empty]) => `${before}${k}=${v}${after}${empty ? ', \t' : ''}`).join(',');
        expect(normalizeTraceState(raw)).toBe(members.map(([k, v]) => `${k}=${v}`).join(','));
      }),
      { numRuns: 300 },
    );
  });

  test('normalizing is idempotent and yields printable text or nothing', () => {
    fc.assert(
      fc.property(fc.string({ unit: fc.constantFrom(...'az09=,@ \t*/_-'.split(''), 'A', '\u0001'), maxLength: 60 }), (raw) => {
        const once = normalizeTraceState(raw);
        if (once === undefined) return;
        expect(once).toMatch(/^[\x20-\x7e]+$/);
        expect(normalizeTraceState(once)).toBe(once);
      }),
      { numRuns: 500 },
    );
  });
});
