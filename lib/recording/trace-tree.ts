import { isErrorTag } from '../util/semantic-tags';
import type { FinishedSpan } from './finished-span';

/** Options for `renderTraceTree`. */
export interface TraceTreeOptions {
  /** width of the waterfall bar in characters; default 30 */
  barWidth?: number;
}

const MAX_LABEL = 60;

/** A duration in ms, in the unit that keeps it short: 850 µs, 12.40 ms, 3.20 s. */
function formatDuration(ms: number): string {
  if (ms < 1) return `${Math.round(ms * 1000)} µs`;
  if (ms < 1000) return `${ms.toFixed(2)} ms`;
  return `${(ms / 1000).toFixed(2)} s`;
}

interface Row {
  label: string;
  span: FinishedSpan;
}

function treeRows(spans: FinishedSpan[]): Row[] {
  const ids = new Set(spans.map((s) => s.spanId));
  const children = new Map<string, FinishedSpan[]>();
  const roots: FinishedSpan[] = [];
  for (const span of spans) {
    if (span.parentSpanId !== undefined && ids.has(span.parentSpanId) && span.parentSpanId !== span.spanId) {
      const list = children.get(span.parentSpanId);
      if (list === undefined) children.set(span.parentSpanId, [span]);
      else list.push(span);
    } else {
      roots.push(span);
    }
  }
  const byStart = (a: FinishedSpan, b: FinishedSpan): number => a.startTime - b.startTime;
  const rows: Row[] = [];
  const visited = new Set<string>();
  const walk = (span: FinishedSpan, prefix: string, connector: string): void => {
    if (visited.has(span.spanId)) return; // a duplicated span id must not loop the walk
    visited.add(span.spanId);
    const error = isErrorTag(span.tags.error) ? ' !' : '';
    rows.push({ label: `${prefix}${connector}${span.operationName} (${span.serviceName})${error}`, span });
    const kids = (children.get(span.spanId) ?? []).sort(byStart);
    const childPrefix = prefix + (connector === '' ? '' : connector === '├─ ' ? '│  ' : '   ');
    kids.forEach((kid, i) => walk(kid, childPrefix, i === kids.length - 1 ? '└─ ' : '├─ '));
  };
  roots.sort(byStart).forEach((root) => walk(root, '', ''));
  return rows;
}

/**
 * Renders the spans of one trace as an indented tree with durations and a waterfall:
 *
 *     trace 4bf92f35… · 3 spans · 12.40 ms
 *       GET /hello (api) ······ 12.40 ms |██████████████████████████████|
 *       ├─ SELECT (api) ········ 3.10 ms |  ███████                     |
 *       └─ render (api) ···  850 µs |              ██              |
 */
export function renderTraceTree(spans: FinishedSpan[], options: TraceTreeOptions = {}): string {
  if (spans.length === 0) return '';
  const width = Math.max(5, Math.min(200, Math.floor(options.barWidth ?? 30)));
  const start = Math.min(...spans.map((s) => s.startTime));
  const end = Math.max(...spans.map((s) => s.startTime + s.duration));
  const total = Math.max(end - start, 1e-6);
  const rows = treeRows(spans);
  const labels = rows.map((r) => (r.label.length > MAX_LABEL ? `${r.label.slice(0, MAX_LABEL - 1)}…` : r.label));
  const durations = rows.map((r) => formatDuration(r.span.duration));
  const labelWidth = Math.max(...labels.map((l) => l.length));
  const durationWidth = Math.max(...durations.map((d) => d.length));
  const lines = [`trace ${spans[0].traceId} · ${spans.length} span${spans.length === 1 ? '' : 's'} · ${formatDuration(total)}`];
  rows.forEach((row, i) => {
    const offset = Math.min(width - 1, Math.floor(((row.span.startTime - start) / total) * width));
    const length = Math.max(1, Math.min(width - offset, Math.round((row.span.duration / total) * width)));
    const bar = ' '.repeat(offset) + '█'.repeat(length) + ' '.repeat(width - offset - length);
    const dots = '·'.repeat(labelWidth - labels[i].length + 2);
    lines.push(`  ${labels[i]} ${dots} ${durations[i].padStart(durationWidth)} |${bar}|`);
  });
  return `${lines.join('\n')}\n`;
}
