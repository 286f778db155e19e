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

/** The upstream context every framework spec sends in `traceparent`. */
export const UPSTREAM_TRACE = '0af7651916cd43dd8448eb211c80319c';
export const UPSTREAM_PARENT = 'b7ad6b7169203331';

/**
 * Requests `${base}/users/42?expand=1` with an upstream `traceparent` from an app whose
 * `/users/:id` route answers `{ id }` and finishes a `db.load-user` span inside the request;
 * checks the server span every framework helper must give: named by the route, continuing
 * the upstream trace, tagged, and the parent of the handler's span.
 */
export async function expectUserRouteSpan(recorder: InMemoryRecorder, base: string): Promise<FinishedSpan> {
  const res = await fetch(`${base}/users/42?expand=1`, { headers: { traceparent: `00-${UPSTREAM_TRACE}-${UPSTREAM_PARENT}-01` } });
  expect(await res.json()).toEqual({ id: '42' });
  await spansWhen(recorder, 2);
  const span = onlySpan(recorder, 'GET /users/:id');
  expect(span.traceId).toBe(UPSTREAM_TRACE);
  expect(span.parentSpanId).toBe(UPSTREAM_PARENT);
  expect(span.tags).toMatchObject({
    'span.kind': 'server',
    'http.method': 'GET',
    'http.url': '/users/42?expand=1',
    'http.status_code': 200,
    'peer.ipv4': '127.0.0.1',
  });
  expect(span.tags.error).toBeUndefined();
  expect(onlySpan(recorder, 'db.load-user').parentSpanId).toBe(span.spanId);
  return span;
}
