import type { Server } from 'node:http';
import type { FinishedSpan, InMemoryRecorder } from '../../lib';

/** Starts `server` on 127.0.0.1 at an ephemeral port and returns its base URL. */
export function listen(server: Server): Promise<string> {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      if (address === null || typeof address === 'string') reject(new Error('no port'));
      else resolve(`http://127.0.0.1:${address.port}`);
    });
  });
}

/** Closes `server` and every connection it still holds (keep-alive sockets included). */
export function close(server: Server): Promise<void> {
  return new Promise((resolve) => {
    if (!server.listening) return resolve();
    server.close(() => resolve());
    server.closeAllConnections();
  });
}

/** Polls `predicate` every 5 ms until it is true; rejects after `timeoutMillis`. */
export async function waitFor(predicate: () => boolean, timeoutMillis = 3000): Promise<void> {
  const deadline = Date.now() + timeoutMillis;
  while (!predicate()) {
    if (Date.now() > deadline) throw new Error('waitFor: condition not met in time');
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
}

/** Waits until the recorder holds `count` spans matching `filter`, and returns them. */
export async function spansWhen(
  recorder: InMemoryRecorder,
  count: number,
  filter: (span: FinishedSpan) => boolean = () => true,
): Promise<FinishedSpan[]> {
  await waitFor(() => recorder.spans().filter(filter).length >= count);
  return recorder.spans().filter(filter);
}

/** The only recorded span with this operation name; throws when there is not exactly one. */
export function onlySpan(recorder: InMemoryRecorder, operationName: string): FinishedSpan {
  const found = recorder.spans().filter((s) => s.operationName === operationName);
  if (found.length !== 1) {
    throw new Error(
      `expected one span '${operationName}', got ${found.length}: ${recorder
        .spans()
        .map((s) => s.operationName)
        .join(', ')}`,
    );
  }
  return found[0];
}

export const isServerSpan = (span: FinishedSpan): boolean => span.tags['span.kind'] === 'server';
export const isClientSpan = (span: FinishedSpan): boolean => span.tags['span.kind'] === 'client';
