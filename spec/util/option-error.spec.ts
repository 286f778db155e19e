import { describeError, describeValue } from '../../lib/util/describe';
import { optionError, SECRET } from '../../lib/util/option-error';

describe('optionError', () => {
  it('names the option, what it must be and what it got', () => {
    const error = optionError('BatchOptions.maxQueueSize', 'a positive integer', -1);
    expect(error).toBeInstanceOf(TypeError);
    expect(error.message).toBe('sextant: BatchOptions.maxQueueSize must be a positive integer, got -1');
  });

  it('shows values briefly and never their contents', () => {
    expect(describeValue('oops')).toBe('"oops"');
    expect(describeValue(null)).toBe('null');
    expect(describeValue([1, 2])).toBe('an array');
    expect(describeValue(/x/g)).toBe('/x/g');
    expect(describeValue({ password: 'hunter2' })).toBe('object');
    expect(describeValue('x'.repeat(10_000)).length).toBeLessThan(210);
  });

  it('never prints a value passed as SECRET', () => {
    const message = optionError('OtlpHttpExporterOptions.headers["authorization"]', 'a valid HTTP header', SECRET).message;
    expect(message).toContain('not shown');
    expect(message).not.toContain('Symbol');
  });
});

describe('describeError', () => {
  it('describes errors and thrown values in one line without trusting them', () => {
    expect(describeError(new RangeError('too big'))).toBe('RangeError: too big');
    expect(describeError('plain')).toBe('plain');
    const hostile = {
      toString() {
        throw new Error('no');
      },
    };
    expect(describeError(hostile)).toBe('unprintable error');
    const revoked = Proxy.revocable({}, {});
    revoked.revoke();
    expect(() => describeError(revoked.proxy)).not.toThrow();
  });
});
