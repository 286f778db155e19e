import type { CapturedSpan, ExtractedIds } from '../peers/peer';

const TRACE_ID = /^[0-9a-f]{32}$/;
const SPAN_ID = /^[0-9a-f]{16}$/;

/** Problems with the ids and times of exported spans; empty when all is well. */
export function idProblems(spans: CapturedSpan[], startedAfter: number): string[] {
  const problems: string[] = [];
  const spanIds = new Set<string>();
  const now = Date.now();
  for (const span of spans) {
    if (!TRACE_ID.test(span.traceId) || /^0+$/.test(span.traceId)) problems.push(`bad trace id ${span.traceId}`);
    if (!SPAN_ID.test(span.spanId) || /^0+$/.test(span.spanId)) problems.push(`bad span id ${span.spanId}`);
    if (spanIds.has(span.spanId)) problems.push(`span id ${span.spanId} used twice`);
    spanIds.add(span.spanId);
    if (!(span.duration >= 0)) problems.push(`negative duration on ${span.name}`);
    if (!(span.startTime >= startedAfter - 1000 && span.startTime <= now + 1000))
      problems.push(`start time ${span.startTime} out of range`);
    if (problems.length > 5) break;
  }
  return problems;
}

/** Whether some start time has a fractional millisecond (sub-millisecond clock). */
export function hasSubMillisecondTimes(spans: CapturedSpan[]): boolean {
  return spans.some((s) => !Number.isInteger(s.startTime));
}

/** Problems with an extracted context compared with what was injected. */
export function roundTripProblems(expected: ExtractedIds, actual: ExtractedIds | null): string[] {
  if (actual === null) return ['nothing was extracted'];
  const problems: string[] = [];
  if (actual.traceId !== expected.traceId) problems.push(`trace id ${actual.traceId}, expected ${expected.traceId}`);
  if (actual.spanId !== expected.spanId) problems.push(`span id ${actual.spanId}, expected ${expected.spanId}`);
  if (actual.sampled !== expected.sampled) problems.push(`sampled ${actual.sampled}, expected ${expected.sampled}`);
  const want = JSON.stringify(sorted(expected.baggage));
  const got = JSON.stringify(sorted(actual.baggage));
  if (want !== got) problems.push(`baggage ${got}, expected ${want}`);
  return problems;
}

function sorted(record: Record<string, string>): [string, string][] {
  return Object.entries(record).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
}
