import { EnvReader } from '../../lib/config/env-reader';
import { MAX_TIMER_MILLIS } from '../../lib/util/timers';
import { isHeaderName, isHeaderValue, parseKeyValueList } from '../../lib/config/key-value-list';
import { otlpTracesUrl } from '../../lib/config/otlp-endpoint';
import { propagationFromEnv } from '../../lib/config/propagation-from-env';
import { samplerFromEnv } from '../../lib/config/sampler-from-env';
import { defaultServiceName } from '../../lib/config/env-defaults';

function reader(env: Record<string, string>) {
  const warnings: string[] = [];
  return { reader: new EnvReader(env, { warn: (m) => warnings.push(m) }), warnings };
}

describe('EnvReader', () => {
  it('treats an empty or blank value as unset, and trims', () => {
    const { reader: r, warnings } = reader({ A: '', B: '   ', C: '  x  ' });
    expect(r.string('A')).toBeUndefined();
    expect(r.string('B')).toBeUndefined();
    expect(r.string('C')).toBe('x');
    expect(r.positiveInteger('A', 7)).toBe(7);
    expect(warnings).toEqual([]);
  });

  it('reads booleans as OTel says: only a case-insensitive "true" is true, and odd values are reported', () => {
    const { reader: r, warnings } = reader({ T: 'TRUE', F: 'False', Y: 'yes', N: '1' });
    expect([r.boolean('T'), r.boolean('F'), r.boolean('Y'), r.boolean('N'), r.boolean('UNSET')]).toEqual([
      true,
      false,
      false,
      false,
      false,
    ]);
    expect(warnings).toEqual([
      'sextant: ignoring Y="yes": expected true or false; using false.',
      'sextant: ignoring N="1": expected true or false; using false.',
    ]);
  });

  it('reads enums case-insensitively and reports unknown ones with the original value', () => {
    const { reader: r, warnings } = reader({ A: 'GZip', B: 'brotli' });
    expect(r.choice('A', ['gzip', 'none'] as const, 'none')).toBe('gzip');
    expect(r.choice('B', ['gzip', 'none'] as const, 'none')).toBe('none');
    expect(warnings).toEqual(['sextant: ignoring B="brotli": expected one of gzip, none; using none.']);
  });

  it('reads durations and timeouts as whole non-negative milliseconds; timeout 0 means no limit', () => {
    const { reader: r, warnings } = reader({ D0: '0', D: '250', NEG: '-5', FRAC: '1.5', BIG: '2147483648', WORD: 'soon', T0: '0' });
    expect(r.duration('D0', 5000)).toBe(0);
    expect(r.duration('D', 5000)).toBe(250);
    expect(r.duration('NEG', 5000)).toBe(5000);
    expect(r.duration('FRAC', 5000)).toBe(5000);
    expect(r.duration('BIG', 5000)).toBe(5000);
    expect(r.timeout('WORD', 30000)).toBe(30000);
    expect(r.timeout('T0', 30000)).toBe(MAX_TIMER_MILLIS);
    expect(warnings).toHaveLength(4);
    expect(warnings[0]).toBe(
      'sextant: ignoring NEG="-5": expected a whole number of milliseconds from 0 to 2147483647; using the default 5000.',
    );
    expect(warnings[3]).toMatch(/^sextant: ignoring WORD="soon": .*using the default 30000\.$/);
  });

  it('requires positive integers where OTel says "valid values are positive"', () => {
    const { reader: r, warnings } = reader({ Z: '0', OK: '64' });
    expect(r.positiveInteger('Z', 2048)).toBe(2048);
    expect(r.positiveInteger('OK', 2048)).toBe(64);
    expect(warnings).toEqual(['sextant: ignoring Z="0": expected a whole number from 1 to 2147483647; using the default 2048.']);
  });

  it('splits lists on commas, lowercases, drops blanks and duplicates', () => {
    const { reader: r } = reader({ L: ' B3, tracecontext,,b3 ,' });
    expect(r.list('L')).toEqual(['b3', 'tracecontext']);
    expect(r.list('UNSET')).toBeUndefined();
  });

  it('accepts only absolute http(s) URLs', () => {
    const { reader: r, warnings } = reader({ OK: 'https://collector.example:4318/otlp', BAD: 'collector:4318', FTP: 'ftp://x/' });
    expect(r.url('OK', 'x')).toBe('https://collector.example:4318/otlp');
    expect(r.url('BAD', 'the default')).toBeUndefined();
    expect(r.url('FTP', 'the default')).toBeUndefined();
    expect(warnings[0]).toBe('sextant: ignoring BAD="collector:4318": expected an absolute http:// or https:// URL; using the default.');
  });

  it('never throws when the logger does', () => {
    const r = new EnvReader(
      { X: 'nope' },
      {
        warn: () => {
          throw new Error('logger down');
        },
      },
    );
    expect(r.boolean('X')).toBe(false);
  });

  it('hides header values in the warning for a malformed header list', () => {
    const { reader: r, warnings } = reader({ H: 'authorization=Bearer s3cret,broken' });
    expect(
      r.keyValues('H', { isValidKey: isHeaderName, isValidValue: isHeaderValue, redact: true, fallbackText: 'no headers' }),
    ).toBeUndefined();
    expect(warnings).toEqual(['sextant: ignoring H="authorization=***,***": entry 2 has no \'=\'; using no headers.']);
    expect(warnings[0]).not.toContain('s3cret');
  });
});

describe('parseKeyValueList (W3C Baggage style, as OTEL_RESOURCE_ATTRIBUTES and OTLP headers use)', () => {
  it('reads pairs, trims blanks around keys and values, and percent-decodes', () => {
    expect(parseKeyValueList(' service.version = 1.2.3 , team=core%20infra,eq=a%3Db%2Cc,')).toEqual({
      ok: true,
      pairs: { 'service.version': '1.2.3', team: 'core infra', eq: 'a=b,c' },
    });
  });

  it('keeps an empty value, and the first "=" splits key from value', () => {
    expect(parseKeyValueList('a=,b=x=y')).toEqual({ ok: true, pairs: { a: '', b: 'x=y' } });
  });

  it.each([
    ['noequals', /has no '='/],
    ['=value', /"" is not a valid key/],
    ['a=%E0%A4%A', /malformed %-escape/],
  ])('fails the whole list for %p', (text, problem) => {
    const result = parseKeyValueList(`good=1,${text}`);
    expect(result.ok).toBe(false);
    if (!result.ok) expect(result.problem).toMatch(problem);
  });

  it('checks header names and values when asked', () => {
    expect(parseKeyValueList('bad name=1', isHeaderName).ok).toBe(false);
    expect(parseKeyValueList('x-ok=line%0Abreak', isHeaderName, isHeaderValue).ok).toBe(false);
    expect(parseKeyValueList('x-api-key=abc%20def', isHeaderName, isHeaderValue)).toEqual({ ok: true, pairs: { 'x-api-key': 'abc def' } });
  });

  it('does not let a __proto__ key change the prototype', () => {
    const result = parseKeyValueList('__proto__=x');
    expect(result.ok && Object.getPrototypeOf(result.pairs)).toBe(Object.prototype);
    expect(result.ok && Object.keys(result.pairs)).toEqual(['__proto__']);
  });
});

describe('otlpTracesUrl (OTLP/HTTP endpoint rules)', () => {
  it.each([
    [{}, 'http://localhost:4318/v1/traces'],
    [{ OTEL_EXPORTER_OTLP_ENDPOINT: 'http://collector:4318' }, 'http://collector:4318/v1/traces'],
    [{ OTEL_EXPORTER_OTLP_ENDPOINT: 'http://collector:4318/' }, 'http://collector:4318/v1/traces'],
    [{ OTEL_EXPORTER_OTLP_ENDPOINT: 'http://collector:4318/mycollector' }, 'http://collector:4318/mycollector/v1/traces'],
    [{ OTEL_EXPORTER_OTLP_ENDPOINT: 'https://collector:4318/mycollector/' }, 'https://collector:4318/mycollector/v1/traces'],
    [{ OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: 'http://collector:4318' }, 'http://collector:4318'],
    [
      { OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: 'http://c:9/custom/path', OTEL_EXPORTER_OTLP_ENDPOINT: 'http://other:4318' },
      'http://c:9/custom/path',
    ],
  ])('%j -> %s', (env, url) => {
    const { reader: r, warnings } = reader(env as Record<string, string>);
    expect(otlpTracesUrl(r)).toBe(url);
    expect(warnings).toEqual([]);
  });

  it('falls back, with a warning, when an endpoint is not a URL', () => {
    const { reader: r, warnings } = reader({ OTEL_EXPORTER_OTLP_ENDPOINT: 'collector:4318', OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: '::' });
    expect(otlpTracesUrl(r)).toBe('http://localhost:4318/v1/traces');
    expect(warnings).toHaveLength(2);
    expect(warnings[0]).toContain('OTEL_EXPORTER_OTLP_ENDPOINT="collector:4318"');
    expect(warnings[1]).toContain('OTEL_EXPORTER_OTLP_TRACES_ENDPOINT="::"');
  });
});

describe('samplerFromEnv', () => {
  it.each([
    [{}, 'ParentBasedSampler(ConstSampler(true))'],
    [{ OTEL_TRACES_SAMPLER: 'always_on' }, 'ConstSampler(true)'],
    [{ OTEL_TRACES_SAMPLER: 'ALWAYS_OFF' }, 'ConstSampler(false)'],
    [{ OTEL_TRACES_SAMPLER: 'traceidratio', OTEL_TRACES_SAMPLER_ARG: '0.25' }, 'ProbabilisticSampler(0.25)'],
    [{ OTEL_TRACES_SAMPLER: 'traceidratio' }, 'ProbabilisticSampler(1)'],
    [{ OTEL_TRACES_SAMPLER: 'traceidratio', OTEL_TRACES_SAMPLER_ARG: '.5e0' }, 'ProbabilisticSampler(0.5)'],
    [{ OTEL_TRACES_SAMPLER: 'parentbased_always_on' }, 'ParentBasedSampler(ConstSampler(true))'],
    [{ OTEL_TRACES_SAMPLER: 'parentbased_always_off' }, 'ParentBasedSampler(ConstSampler(false))'],
    [{ OTEL_TRACES_SAMPLER: 'parentbased_traceidratio', OTEL_TRACES_SAMPLER_ARG: '0.1' }, 'ParentBasedSampler(ProbabilisticSampler(0.1))'],
    [{ OTEL_TRACES_SAMPLER: 'ratelimiting', OTEL_TRACES_SAMPLER_ARG: '2.5' }, 'RateLimitingSampler(2.5)'],
    [{ OTEL_TRACES_SAMPLER: 'parentbased_ratelimiting' }, 'ParentBasedSampler(RateLimitingSampler(1))'],
    [{ OTEL_TRACES_SAMPLER: 'always_on', OTEL_TRACES_SAMPLER_ARG: 'ignored' }, 'ConstSampler(true)'],
  ])('%j -> %s, without a warning', (env, description) => {
    const { reader: r, warnings } = reader(env as Record<string, string>);
    expect(samplerFromEnv(r).toString()).toBe(description);
    expect(warnings).toEqual([]);
  });

  it.each([
    [{ OTEL_TRACES_SAMPLER: 'traceidratio', OTEL_TRACES_SAMPLER_ARG: '2' }, 'ProbabilisticSampler(1)', 'OTEL_TRACES_SAMPLER_ARG="2"'],
    [{ OTEL_TRACES_SAMPLER: 'traceidratio', OTEL_TRACES_SAMPLER_ARG: 'half' }, 'ProbabilisticSampler(1)', 'OTEL_TRACES_SAMPLER_ARG="half"'],
    [{ OTEL_TRACES_SAMPLER: 'traceidratio', OTEL_TRACES_SAMPLER_ARG: '0x1' }, 'ProbabilisticSampler(1)', 'OTEL_TRACES_SAMPLER_ARG="0x1"'],
    [{ OTEL_TRACES_SAMPLER: 'jaeger_remote' }, 'ParentBasedSampler(ConstSampler(true))', 'OTEL_TRACES_SAMPLER="jaeger_remote"'],
    [{ OTEL_TRACES_SAMPLER: 'sometimes' }, 'ParentBasedSampler(ConstSampler(true))', 'OTEL_TRACES_SAMPLER="sometimes"'],
    [{ OTEL_TRACES_SAMPLER: 'ratelimiting', OTEL_TRACES_SAMPLER_ARG: '-1' }, 'RateLimitingSampler(1)', 'OTEL_TRACES_SAMPLER_ARG="-1"'],
  ])('%j -> %s, with one warning naming %s', (env, description, named) => {
    const { reader: r, warnings } = reader(env as Record<string, string>);
    expect(samplerFromEnv(r).toString()).toBe(description);
    expect(warnings).toHaveLength(1);
    expect(warnings[0]).toContain(named);
  });
});

describe('propagationFromEnv', () => {
  it.each([
    [{}, ['tracecontext', 'baggage']],
    [{ OTEL_PROPAGATORS: 'b3multi,TraceContext,b3multi' }, ['b3multi', 'tracecontext']],
    [{ OTEL_PROPAGATORS: 'jaeger,b3,baggage' }, ['jaeger', 'b3', 'baggage']],
    [{ OTEL_PROPAGATORS: 'none' }, []],
    [{ OTEL_PROPAGATORS: 'xray,tracecontext' }, ['xray', 'tracecontext']],
    [{ OTEL_PROPAGATORS: 'ottrace' }, ['ottrace']],
    [{ OTEL_PROPAGATORS: 'tracecontext,baggage,ottrace,xray' }, ['tracecontext', 'baggage', 'ottrace', 'xray']],
  ])('%j -> %j, without a warning', (env, names) => {
    const { reader: r, warnings } = reader(env as Record<string, string>);
    expect(propagationFromEnv(r)).toEqual(names);
    expect(warnings).toEqual([]);
  });

  it.each([
    [{ OTEL_PROPAGATORS: 'opencensus,tracecontext' }, ['tracecontext'], /opencensus not supported/],
    [{ OTEL_PROPAGATORS: 'xray-lambda' }, ['tracecontext', 'baggage'], /no supported propagator/],
    [{ OTEL_PROPAGATORS: 'none,b3' }, ['b3'], /'none' cannot be combined/],
  ])('%j -> %j, with one warning', (env, names, problem) => {
    const { reader: r, warnings } = reader(env as Record<string, string>);
    expect(propagationFromEnv(r)).toEqual(names);
    expect(warnings).toHaveLength(1);
    expect(warnings[0]).toMatch(problem);
    expect(warnings[0]).toContain(`OTEL_PROPAGATORS=${JSON.stringify(env.OTEL_PROPAGATORS)}`);
  });
});

describe('defaultServiceName', () => {
  it('is unknown_service:<executable name>, as the OTel resource conventions say', () => {
    expect(defaultServiceName()).toMatch(/^unknown_service(:[^/\\]+)?$/);
  });
});
