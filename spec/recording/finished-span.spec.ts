import { finishedSpan } from '../../lib/recording/finished-span';
import type { FinishedSpanParts } from '../../lib/recording/finished-span';

const PROCESS = Object.freeze({ serviceName: 'svc', tags: Object.freeze({ 'service.version': '1.0' }) });

function parts(overrides: Partial<FinishedSpanParts> = {}): FinishedSpanParts {
  return {
    traceId: '4bf92f3577b34da6a3ce929d0e0e4736',
    spanId: '00f067aa0ba902b7',
    parentSpanId: undefined,
    operationName: 'op',
    serviceName: 'svc',
    startTime: 1000,
    finishTime: 1012.5,
    tags: {},
    logs: null,
    references: null,
    baggage: {},
    process: PROCESS,
    dropped: undefined,
    ...overrides,
  };
}

describe('finishedSpan', () => {
  it('leaves parentSpanId and dropped out of a root record, and derives no references', () => {
    const record = finishedSpan(parts());
    expect('parentSpanId' in record).toBe(false);
    expect('dropped' in record).toBe(false);
    expect(record).toMatchObject({ duration: 12.5, logs: [], references: [] });
    expect(record.process).toBe(PROCESS);
  });

  it('derives one child_of reference from the parent when none were given', () => {
    const record = finishedSpan(parts({ parentSpanId: 'a3ce929d0e0e4736' }));
    expect(record.parentSpanId).toBe('a3ce929d0e0e4736');
    expect(record.references).toEqual([{ type: 'child_of', traceId: '4bf92f3577b34da6a3ce929d0e0e4736', spanId: 'a3ce929d0e0e4736' }]);
  });

  it('keeps the references and dropped counts it is given', () => {
    const references = [{ type: 'follows_from' as const, traceId: 'b'.repeat(32), spanId: 'c'.repeat(16) }];
    const record = finishedSpan(parts({ parentSpanId: 'c'.repeat(16), references, dropped: { tags: 1, logs: 0, references: 0 } }));
    expect(record.references).toBe(references);
    expect(record.dropped).toEqual({ tags: 1, logs: 0, references: 0 });
  });

  it('counts a finish before the start, or a NaN time, as a zero duration', () => {
    expect(finishedSpan(parts({ finishTime: 900 })).duration).toBe(0);
    expect(finishedSpan(parts({ finishTime: NaN })).duration).toBe(0);
  });
});
