import { constants } from 'node:os';

/** What the exit hooks need from a recorder that asked to be flushed on exit. */
export interface ExitFlushable {
  /** whether spans are queued or an export is under way */
  hasPendingWork(): boolean;
  /**
   * flushes within the recorder's own bound, keeping the process alive meanwhile;
   * resolves (never rejects) when done or given up. `reason` (`exit`, `SIGTERM`, ...)
   * names the occasion in the warning about spans that could not be delivered
   */
  flushForExit(reason: string): Promise<void>;
}

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

/** Flushes every recorder with work pending; each is bounded by its own deadline. */
function flushAll(reason: string): Promise<void> {
  const recorders = [...registered].filter((r) => r.hasPendingWork());
  if (recorders.length === 0) return Promise.resolve();
  return Promise.all(recorders.map((r) => r.flushForExit(reason).catch(() => undefined))).then(() => undefined);
}

function onBeforeExit(): void {
  // Only acts when there is something to send: otherwise the loop empties again at once
  // and the process exits as it would have. A recorder whose exit deadline has passed
  // holds nothing open, so an endless beforeExit cycle cannot happen.
  void flushAll('exit');
}

function onSignal(signal: ExitSignal): void {
  // Whether the application listens is decided now: its listener may be a `once` that
  // is gone by the time the flush ends.
  const applicationListens = process.listenerCount(signal) > 1;
  if (signalling) {
    // A second signal while flushing: the user wants out now.
    reraise(signal, applicationListens);
    return;
  }
  signalling = true;
  void flushAll(signal).then(() => reraise(signal, applicationListens));
}

/**
 * Does what the signal would have done without us: if the application listens for it,
 * leave the decision to the application; otherwise end the process by the signal
 * itself, so the parent sees the conventional status (killed by SIGTERM, 143 in a shell).
 */
function reraise(signal: ExitSignal, applicationListens: boolean): void {
  signalling = false;
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
