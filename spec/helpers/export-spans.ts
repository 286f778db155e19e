import type { FinishedSpan } from '../../lib/recording/finished-span';

let counter = 0;

/** A distinct valid hex id of `length` characters. */
export function hexId(length: 16 | 32): string {
  counter++;
  return (counter.toString(16).padStart(8, '0') + 'a1b2c3d4e5f60718293a4b5c6d7e8f90').slice(0, length);
}

/** A finished span with sensible defaults; override any field. */
export function finishedSpan(overrides: Partial<FinishedSpan> = {}): FinishedSpan {
  return {
    traceId: hexId(32),
    spanId: hexId(16),
    operationName: 'work',
    serviceName: 'svc',
    startTime: 1_700_000_000_000.25,
    duration: 12.5,
    tags: {},
    logs: [],
    references: [],
    baggage: {},
    process: { serviceName: 'svc', tags: {} },
    ...overrides,
  };
}
