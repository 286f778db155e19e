import { randomFillSync } from 'node:crypto';

/**
 * Random span and trace ids as lowercase hex.
 *
 * One `randomFillSync` call fills a pool large enough for hundreds of ids, so the
 * hot path pays a buffer read instead of a syscall per span. The pool is refilled
 * whole when used up; ids are never reused.
 */
const POOL_BYTES = 8192;
const pool = Buffer.allocUnsafe(POOL_BYTES);
let offset = POOL_BYTES;

function take(bytes: number): number {
  if (offset + bytes > POOL_BYTES) {
    randomFillSync(pool);
    offset = 0;
  }
  const start = offset;
  offset += bytes;
  return start;
}

function isAllZero(start: number, bytes: number): boolean {
  for (let i = start; i < start + bytes; i++) if (pool[i] !== 0) return false;
  return true;
}

function randomHex(bytes: number): string {
  let start = take(bytes);
  // An all-zero id is invalid on every wire format; its chance is 2^-64 or less.
  while (isAllZero(start, bytes)) start = take(bytes);
  return pool.toString('hex', start, start + bytes);
}

/** 64 random bits as 16 lowercase hex characters, never all zero. */
export function randomSpanId(): string {
  return randomHex(8);
}

/** 128 random bits as 32 lowercase hex characters, never all zero. */
export function randomTraceId(): string {
  return randomHex(16);
}

const TRACE_ID = /^[0-9a-f]{32}$/;
const SPAN_ID = /^[0-9a-f]{16}$/;
const ALL_ZERO = /^0+$/;

/** Whether `id` is a valid trace id: 32 lowercase hex, not all zero. */
export function isValidTraceId(id: unknown): id is string {
  return typeof id === 'string' && TRACE_ID.test(id) && !ALL_ZERO.test(id);
}

/** Whether `id` is a valid span id: 16 lowercase hex, not all zero. */
export function isValidSpanId(id: unknown): id is string {
  return typeof id === 'string' && SPAN_ID.test(id) && !ALL_ZERO.test(id);
}
