import type { FinishedSpan } from './finished-span';

const INITIAL_SLOTS = 64;

/**
 * A bounded first-in first-out queue of finished spans: a ring buffer that holds the
 * span objects themselves (one array slot each, no wrapper) and grows by doubling
 * up to its limit, so a quiet service never pays for a large queue.
 *
 *     const queue = new SpanQueue(2048);
 *     queue.push(span);          // false when 2048 spans are already waiting
 *     queue.take(512);           // the oldest 512, in order
 */
export class SpanQueue {
  private slots: (FinishedSpan | undefined)[];
  /** slots.length - 1; the length is always a power of two */
  private mask: number;
  private head = 0;
  private count = 0;

  constructor(readonly limit: number) {
    this.slots = new Array<FinishedSpan | undefined>(Math.min(INITIAL_SLOTS, ceilPowerOfTwo(limit))).fill(undefined);
    this.mask = this.slots.length - 1;
  }

  /** Spans waiting. */
  get size(): number {
    return this.count;
  }

  /** Appends a span; returns false, and keeps nothing, when the queue is at its limit. */
  push(span: FinishedSpan): boolean {
    if (this.count >= this.limit) return false;
    if (this.count === this.slots.length) this.grow();
    this.slots[(this.head + this.count) & this.mask] = span;
    this.count++;
    return true;
  }

  /** Removes and returns up to `max` of the oldest spans, oldest first. */
  take(max: number): FinishedSpan[] {
    const n = Math.min(max, this.count);
    const out = new Array<FinishedSpan>(n);
    for (let i = 0; i < n; i++) {
      const index = (this.head + i) & this.mask;
      out[i] = this.slots[index] as FinishedSpan;
      // Release the slot at once: a span must not outlive its export because of the queue.
      this.slots[index] = undefined;
    }
    this.head = (this.head + n) & this.mask;
    this.count -= n;
    return out;
  }

  /** Forgets every waiting span; returns how many there were. */
  clear(): number {
    const n = this.count;
    this.take(n);
    return n;
  }

  private grow(): void {
    const next = new Array<FinishedSpan | undefined>(this.slots.length * 2).fill(undefined);
    for (let i = 0; i < this.count; i++) next[i] = this.slots[(this.head + i) & this.mask];
    this.slots = next;
    this.mask = next.length - 1;
    this.head = 0;
  }
}

function ceilPowerOfTwo(n: number): number {
  let p = 1;
  while (p < n) p *= 2;
  return p;
}
