import * as opentracing from 'opentracing';
import { InMemoryRecorder, Tracer, recordError, type FinishedSpan } from '../../lib';

/** What a failed span says about its error: its tags and its logs, without timestamps. */
function failure(span: FinishedSpan): { tags: Record<string, unknown>; logs: Record<string, unknown>[] } {
  return { tags: span.tags, logs: span.logs.map((l) => l.fields) };
}

describe('recordError', () => {
  let recorder: InMemoryRecorder;
  let warnings: string[];
  let tracer: Tracer;

  beforeEach(() => {
    recorder = new InMemoryRecorder();
    warnings = [];
    tracer = new Tracer({ serviceName: 'errors', recorder, logger: { warn: (m) => warnings.push(m) } });
  });

  /** The same value thrown inside startActiveSpan, and given to recordError: both finished spans. */
  function bothWays(error: unknown): [FinishedSpan, FinishedSpan] {
    expect(() =>
      tracer.startActiveSpan('thrown', () => {
        throw error;
      }),
    ).toThrow();
    const span = tracer.startSpan('recorded');
    recordError(span, error);
    span.finish();
    const [thrown, recorded] = recorder.spans();
    recorder.clear();
    return [thrown, recorded];
  }

  const errorWithCode = Object.assign(new RangeError('quota exceeded'), { code: 'E_QUOTA' });
  it.each([
    ['an Error', new Error('card declined')],
    ['an Error subclass with extra fields', errorWithCode],
    ['an Error with an empty message', new Error()],
    ['a string', 'plain string failure'],
    ['a plain object', { reason: 'no stock' }],
    ['undefined', undefined],
    ['null', null],
  ])('logs exactly what startActiveSpan logs on a throw, for %s', (_label, error) => {
    const [thrown, recorded] = bothWays(error);
    expect(failure(recorded)).toEqual(failure(thrown));
    expect(recorded.tags.error).toBe(true);
    expect(recorded.logs).toHaveLength(1);
    expect(recorded.logs[0].fields.event).toBe('error');
    expect(recorded.logs[0].fields['error.object']).toBe(error);
  });

  it('logs the message and the stack of an Error', () => {
    const error = new Error('card declined');
    const span = tracer.startSpan('charge');
    recordError(span, error);
    span.finish();
    expect(recorder.spans()[0].logs[0].fields).toEqual({
      event: 'error',
      'error.object': error,
      message: 'card declined',
      stack: error.stack,
    });
    expect(String(error.stack)).toContain('record-error.spec');
  });

  it('describes values that are not Errors, since they have no message of their own', () => {
    const span = tracer.startSpan('charge');
    recordError(span, 'timeout talking to bank');
    span.finish();
    expect(recorder.spans()[0].logs[0].fields).toMatchObject({ message: 'timeout talking to bank', stack: undefined });
  });

  it('does nothing to a finished span', () => {
    const span = tracer.startSpan('done');
    span.finish();
    recordError(span, new Error('late'));
    expect(recorder.spans()[0].tags.error).toBeUndefined();
    expect(recorder.spans()[0].logs).toEqual([]);
  });

  it('works on spans of other OpenTracing tracers (it only uses setTag and log)', () => {
    const calls: unknown[] = [];
    const foreign = new opentracing.Span();
    foreign.setTag = (key: string, value: unknown) => (calls.push(['setTag', key, value]), foreign);
    foreign.log = (fields: Record<string, unknown>) => (calls.push(['log', fields.event, fields.message]), foreign);
    recordError(foreign, new Error('from elsewhere'));
    expect(calls).toEqual([
      ['setTag', 'error', true],
      ['log', 'error', 'from elsewhere'],
    ]);
  });

  it('never throws on hostile errors, and still marks the span', () => {
    const revoked = Proxy.revocable({}, {});
    revoked.revoke();
    const prototypeTrap = new Proxy(
      {},
      {
        getPrototypeOf: () => {
          throw new Error('trap');
        },
      },
    );
    const messageGetter = new Error('hidden');
    Object.defineProperty(messageGetter, 'message', {
      get: () => {
        throw new Error('getter');
      },
    });
    const stackGetter = new TypeError('kept');
    Object.defineProperty(stackGetter, 'stack', {
      get: () => {
        throw new Error('getter');
      },
    });
    const hostile: [unknown, string][] = [
      [revoked.proxy, 'unprintable error'],
      [prototypeTrap, 'unprintable error'],
      [messageGetter, 'Error'],
      [stackGetter, 'kept'],
      [Symbol('odd'), 'Symbol(odd)'],
      [10n, '10'],
    ];
    for (const [error, message] of hostile) {
      const span = tracer.startSpan('hostile');
      expect(() => recordError(span, error)).not.toThrow();
      span.finish();
      const [recorded] = recorder.spans();
      recorder.clear();
      expect(recorded.tags.error).toBe(true);
      expect(recorded.logs[0].fields).toMatchObject({ event: 'error', message });
    }
    expect(warnings).toEqual([]);
  });

  it('never throws on something that is not a span, and says so once', () => {
    const revoked = Proxy.revocable({}, {});
    revoked.revoke();
    const consoleWarn = jest.spyOn(console, 'warn').mockImplementation(() => undefined);
    try {
      for (const notSpan of [
        null,
        undefined,
        {},
        'span',
        revoked.proxy,
        {
          setTag: () => {
            throw new Error('broken span');
          },
        },
      ]) {
        expect(() => recordError(notSpan as never, new Error('lost'))).not.toThrow();
      }
      expect(consoleWarn).toHaveBeenCalledTimes(1);
      expect(String(consoleWarn.mock.calls[0][0])).toMatch(/^sextant: recordError could not record/);
    } finally {
      consoleWarn.mockRestore();
    }
  });
});
