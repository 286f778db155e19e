/** One timed run: how many operations in how many nanoseconds. */
export interface Sample {
  ops: number;
  nanos: number;
}

const now = process.hrtime.bigint;

/** Lets timers, immediates and the tracers' export work run, as they would between requests. */
export function yieldToEventLoop(): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve));
}

/**
 * Runs `op` in batches of `batch` calls until `millis` have passed, yielding to the
 * event loop between batches so each tracer's batching path does its real work inside
 * the timed window. A result of `op` that is `null` counts as a miss (so the work
 * cannot be optimised away); the caller checks `misses`.
 */
export async function timeSync(op: (i: number) => unknown, millis: number, batch: number): Promise<Sample & { misses: number }> {
  const budget = BigInt(Math.round(millis * 1e6));
  let ops = 0;
  let misses = 0;
  const start = now();
  let elapsed = 0n;
  do {
    for (let i = 0; i < batch; i++) if (op(ops + i) === null) misses++;
    ops += batch;
    await yieldToEventLoop();
    elapsed = now() - start;
  } while (elapsed < budget);
  return { ops, nanos: Number(elapsed), misses };
}

/** `timeSync` for async operations: each one awaited before the next starts. */
export async function timeAsync(op: () => Promise<unknown>, millis: number, batch: number): Promise<Sample> {
  const budget = BigInt(Math.round(millis * 1e6));
  let ops = 0;
  const start = now();
  let elapsed = 0n;
  do {
    for (let i = 0; i < batch; i++) await op();
    ops += batch;
    await yieldToEventLoop();
    elapsed = now() - start;
  } while (elapsed < budget);
  return { ops, nanos: Number(elapsed) };
}
