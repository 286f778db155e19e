import { constants } from 'node:os';

/** What the exit hooks need from a recorder that asked to be flushed on exit. */
export interface ExitFlushable {
  /** whether spans are queued or an export is under way */
  hasPendingWork(): boolean;
  /** flushes; resolves (never rejects) when done or timed out */
  flush(): Promise<void>;
  /** how long its flush may take, in ms */
  readonly exitFlushMillis: number;
}

/** A signal never waits longer than this for recorders to flush, whatever their export timeout. */
const EXIT_FLUSH_LIMIT_MILLIS = 10_000;

const SIGNALS = ['SIGTERM', 'SIGINT'] as const;
type ExitSignal = (typeof SIGNALS)[number];

const registered = new Set<ExitFlushable>();
let installed = false;
let signalling = false;

/**
 * Flushes `recorder` on `beforeExit`, `SIGTERM` and `SIGINT` until `unregisterExitFlush`.
 * One listener per event serves every registered recorder, so two recorders never
 * mistake each other for an application handler.
 */
export function registerExitFlush(recorder: ExitFlushable): void {
  registered.add(recorder);
  if (!installed) {
    installed = true;
    process.on('beforeExit', onBeforeExit);
    for (const signal of SIGNALS) process.on(signal, onSignal);
  }
}

/** Stops flushing `recorder` on exit; the last one out removes the listeners. */
export function unregisterExitFlush(recorder: ExitFlushable): void {
  registered.delete(recorder);
  if (registered.size === 0 && installed && !signalling) uninstall();
}

function uninstall(): void {
  installed = false;
  process.removeListener('beforeExit', onBeforeExit);
  for (const signal of SIGNALS) process.removeListener(signal, onSignal);
}

function flushAll(limitMillis: number, keepAlive: boolean): Promise<void> {
  const recorders = [...registered].filter((r) => r.hasPendingWork());
  if (recorders.length === 0) return Promise.resolve();
  const bound = Math.min(limitMillis, Math.max(...recorders.map((r) => r.exitFlushMillis)));
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<void>((resolve) => {
    timer = setTimeout(resolve, bound);
    // On a signal the process must stay up until the flush ends; on beforeExit the
    // exporters' own sockets keep it up, and nothing else should.
    if (!keepAlive) timer.unref();
  });
  const flushed = Promise.all(recorders.map((r) => r.flush().catch(() => undefined))).then(() => undefined);
  return Promise.race([flushed, timeout]).finally(() => clearTimeout(timer));
}

function onBeforeExit(): void {
  // Only act when there is something to send: otherwise the loop empties again at once
  // and the process exits as it would have.
  void flushAll(EXIT_FLUSH_LIMIT_MILLIS, false);
}

function onSignal(signal: ExitSignal): void {
  if (signalling) {
    // A second signal while flushing: the user wants out now.
    reraise(signal);
    return;
  }
  signalling = true;
  void flushAll(EXIT_FLUSH_LIMIT_MILLIS, true).then(() => reraise(signal));
}

/**
 * Does what the signal would have done without us: if the application listens for it,
 * leave the decision to the application; otherwise end the process by the signal
 * itself, so the parent sees the conventional status (killed by SIGTERM, 143 in a shell).
 */
function reraise(signal: ExitSignal): void {
  signalling = false;
  const applicationListens = process.listenerCount(signal) > 1;
  if (!applicationListens || registered.size === 0) uninstall();
  if (applicationListens) return;
  try {
    process.kill(process.pid, signal);
  } catch {
    // fall through to the exit below
  }
  // Should the signal not end the process (a platform without POSIX signals), exit
  // with the status a shell reports for it.
  setTimeout(() => process.exit(128 + (constants.signals[signal] ?? 15)), 1000);
}
