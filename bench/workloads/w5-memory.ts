import type { PeerHandle } from '../peers/peer';
import { yieldToEventLoop } from './measure';

export interface MemoryResult {
  /** retained heap bytes per queued span, one figure per step */
  bytesPerSpan: number[];
  /** spans held (queued or in the held export) when the last figure was taken */
  queued: number;
  problems: string[];
}

/** Lets every tracer finish what it does after `finish()` (immediates, microtasks). */
async function settle(): Promise<void> {
  for (let i = 0; i < 3; i++) await yieldToEventLoop();
}

/**
 * W5: retained heap per finished span queued behind a stalled exporter. W1's spans are
 * recorded in `steps` steps of `spansPerStep`; after each, the heap (after full
 * collections) is compared with before it. Then the exporter is released, and every
 * span must arrive: a figure for spans that were dropped would flatter the tracer.
 *
 * `heapUsed` must collect garbage fully (`gc` from `--expose-gc`).
 */
export async function measureRetained(
  handle: PeerHandle,
  spansPerStep: number,
  steps: number,
  heapUsed: () => number,
): Promise<MemoryResult> {
  const { peer, release } = handle;
  const problems: string[] = [];
  const rootSpan = peer.rootSpan!;
  // Warm-up: JIT, lazy allocations, the first (held) export batch, the queue's growth.
  const warm = 2048;
  for (let i = 0; i < warm; i++) rootSpan(i);
  await settle();
  const bytesPerSpan: number[] = [];
  let before = heapUsed();
  let made = warm;
  for (let step = 0; step < steps; step++) {
    for (let i = 0; i < spansPerStep; i++) rootSpan(made + i);
    made += spansPerStep;
    await settle();
    const after = heapUsed();
    bytesPerSpan.push((after - before) / spansPerStep);
    before = after;
  }
  if (peer.sink !== null) {
    release();
    await peer.flush();
    const exported = peer.sink.exported;
    if (exported !== made) problems.push(`${exported} of ${made} spans reached the exporter after the stall`);
    return { bytesPerSpan, queued: made, problems };
  }
  release();
  return { bytesPerSpan, queued: 0, problems };
}
