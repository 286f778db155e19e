import * as http from 'node:http';
import * as https from 'node:https';
import type { ExportOptions } from '../recording/exporter';
import { runUntraced } from '../util/untraced';
import { backoffMillis, isRetryableStatus, parseRetryAfter } from './retry-policy';
import type { RetryOptions } from './retry-policy';
import { MAX_TIMER_MILLIS } from '../util/timers';

/** Response bodies are read (so the connection can be reused) but only this much is kept. */
const MAX_RESPONSE_BYTES = 64 * 1024;

export interface HttpTransportOptions {
  url: URL;
  /** sent with every request; the transport's own Content-Length always wins */
  headers: Record<string, string>;
  /** bound on a whole post, retries included, in ms, when the caller gives no deadline */
  timeoutMillis: number;
  retry: Required<RetryOptions>;
}

/** What one POST, retries included, came to. */
export interface PostResult {
  ok: boolean;
  /** HTTP status of the last response, if there was one */
  status?: number;
  /** on failure: one line for logs and stats */
  error?: string;
  /**
   * on failure: a short, stable name for the kind of failure (`network`, `timeout`,
   * `http-400`, `aborted`, ...), for reporting each kind once
   */
  kind?: string;
  /** requests made */
  attempts: number;
  /** the start of the last response's body (up to 64 KiB) */
  body?: Buffer;
  contentType?: string;
}

/** The outcome of a single request. */
interface Attempt {
  status?: number;
  headers?: http.IncomingHttpHeaders;
  body?: Buffer;
  error?: string;
  kind?: string;
  retryable: boolean;
}

/**
 * POSTs bodies to one URL over keep-alive connections, retrying what the OTLP spec
 * calls retryable (network errors, timeouts, 429/502/503/504) with exponential
 * backoff and jitter, honouring `Retry-After`, and never past the caller's deadline:
 * each request is cut off when the deadline comes, and no retry starts that the
 * deadline would interrupt. Resolves, never rejects.
 *
 * Its timers and sockets never hold the process open by themselves: whoever needs the
 * export finished (a caller awaiting `flush()` or `close()`, an exit flush) holds it.
 *
 *     const transport = new HttpTransport({ url: new URL('http://127.0.0.1:4318/v1/traces'), headers: {}, timeoutMillis: 10000, retry: { ...RETRY_DEFAULTS } });
 *     const result = await transport.post(Buffer.from('{}'), { 'content-type': 'application/json' });
 */
export class HttpTransport {
  private readonly client: typeof http | typeof https;
  private readonly agent: http.Agent;
  private readonly active = new Set<AbortController>();
  private closed = false;

  constructor(private readonly options: HttpTransportOptions) {
    const secure = options.url.protocol === 'https:';
    this.client = secure ? https : http;
    // Idle keep-alive sockets are unref'd by the agent: they never hold the process open.
    this.agent = secure ? new https.Agent({ keepAlive: true, maxSockets: 2 }) : new http.Agent({ keepAlive: true, maxSockets: 2 });
  }

  /**
   * Sends `body` until it is accepted, refused for good, out of attempts, past the
   * deadline, or aborted.
   */
  async post(body: Buffer, headers: Record<string, string>, limits: ExportOptions = {}): Promise<PostResult> {
    const signal = limits.signal;
    const deadline = typeof limits.deadline === 'number' ? limits.deadline : Date.now() + this.options.timeoutMillis;
    const requestHeaders: Record<string, string> = { ...this.options.headers, ...headers, 'content-length': String(body.length) };
    const maxAttempts = this.options.retry.maxAttempts;
    let last: Attempt = { error: 'not sent', kind: 'not-sent', retryable: false };
    for (let attempt = 1; attempt <= maxAttempts; attempt++) {
      if (this.closed) return fail(last, attempt - 1, 'exporter is shut down', 'shutdown');
      if (signal?.aborted) return fail(last, attempt - 1, 'aborted by the caller (export timeout)', 'aborted');
      const remaining = deadline - Date.now();
      if (remaining <= 0) {
        if (attempt === 1) return fail(last, 0, 'the export deadline passed before the request was sent', 'deadline');
        return fail(last, attempt - 1, `${last.error}; no time left to retry`);
      }
      last = await this.requestOnce(body, requestHeaders, remaining, signal);
      if (last.status !== undefined && last.status >= 200 && last.status < 300) {
        return {
          ok: true,
          status: last.status,
          attempts: attempt,
          body: last.body,
          contentType: headerText(last.headers?.['content-type']),
        };
      }
      if (!last.retryable) return fail(last, attempt);
      if (attempt === maxAttempts)
        return fail(last, attempt, attempt === 1 ? last.error : `${last.error} (gave up after ${attempt} attempts)`);
      const asked = parseRetryAfter(last.headers?.['retry-after']);
      const pause = asked ?? backoffMillis(attempt, this.options.retry);
      if (Date.now() + pause >= deadline) {
        const why =
          asked === undefined
            ? 'the next retry would pass the export deadline'
            : `Retry-After asks for ${Math.ceil(pause / 1000)} s, past the export deadline`;
        return fail(last, attempt, `${last.error}; ${why}`);
      }
      if (!(await this.sleep(pause, signal))) return fail(last, attempt, 'aborted by the caller (export timeout)', 'aborted');
    }
    return fail(last, maxAttempts);
  }

  /** Aborts requests under way and closes every connection; later posts fail at once. */
  shutdown(): void {
    this.closed = true;
    for (const controller of this.active) controller.abort();
    this.active.clear();
    this.agent.destroy();
  }

  private requestOnce(
    body: Buffer,
    headers: Record<string, string>,
    timeoutMillis: number,
    signal: AbortSignal | undefined,
  ): Promise<Attempt> {
    return new Promise<Attempt>((resolve) => {
      const controller = new AbortController();
      let settled = false;
      let timedOut = false;
      const onAbort = (): void => controller.abort();
      const timer = setTimeout(
        () => {
          timedOut = true;
          controller.abort();
        },
        Math.min(timeoutMillis, MAX_TIMER_MILLIS),
      );
      timer.unref();
      const finish = (attempt: Attempt): void => {
        if (settled) return;
        settled = true;
        clearTimeout(timer);
        signal?.removeEventListener('abort', onAbort);
        this.active.delete(controller);
        resolve(attempt);
      };
      const failure = (error: unknown): Attempt => {
        if (timedOut) return { error: `request timed out after ${timeoutMillis} ms`, kind: 'timeout', retryable: true };
        if (signal?.aborted || this.closed) return { error: 'request aborted', kind: 'aborted', retryable: false };
        return { error: networkError(error), kind: 'network', retryable: true };
      };
      if (signal !== undefined) {
        if (signal.aborted) return finish({ error: 'request aborted', kind: 'aborted', retryable: false });
        signal.addEventListener('abort', onAbort, { once: true });
      }
      this.active.add(controller);
      let request: http.ClientRequest;
      try {
        // Untraced: zero-code tracing must not make a span of each export (see util/untraced.ts).
        request = runUntraced(() =>
          this.client.request(this.options.url, { method: 'POST', headers, agent: this.agent, signal: controller.signal }),
        );
      } catch (error) {
        return finish({ error: networkError(error), kind: 'request', retryable: false });
      }
      request.on('error', (error) => finish(failure(error)));
      // A request under way does not keep the process alive on its own (see the class comment).
      request.on('socket', (socket) => socket.unref());
      request.on('response', (response) => {
        const chunks: Buffer[] = [];
        let kept = 0;
        response.on('data', (chunk: Buffer) => {
          if (kept >= MAX_RESPONSE_BYTES) return;
          chunks.push(chunk);
          kept += chunk.length;
        });
        response.on('error', (error) => finish(failure(error)));
        response.on('close', () => {
          if (!response.complete) finish(failure(new Error('connection closed before the response ended')));
        });
        response.on('end', () => {
          const status = response.statusCode ?? 0;
          const kept = Buffer.concat(chunks).subarray(0, MAX_RESPONSE_BYTES);
          const ok = status >= 200 && status < 300;
          finish({
            status,
            headers: response.headers,
            body: kept,
            error: ok
              ? undefined
              : `HTTP ${status}${response.statusMessage ? ` ${response.statusMessage}` : ''}${snippet(response.headers, kept)}`,
            kind: ok ? undefined : `http-${status}`,
            retryable: !ok && isRetryableStatus(status),
          });
        });
      });
      request.end(body);
    });
  }

  /** Waits `millis`; resolves false at once if the signal aborts or the transport shuts down. */
  private sleep(millis: number, signal: AbortSignal | undefined): Promise<boolean> {
    return new Promise<boolean>((resolve) => {
      if (signal?.aborted || this.closed) return resolve(false);
      const controller = new AbortController();
      const done = (completed: boolean): void => {
        clearTimeout(timer);
        signal?.removeEventListener('abort', onAbort);
        controller.signal.removeEventListener('abort', onAbort);
        this.active.delete(controller);
        resolve(completed && !this.closed);
      };
      const onAbort = (): void => done(false);
      const timer = setTimeout(() => done(true), millis);
      timer.unref();
      this.active.add(controller);
      controller.signal.addEventListener('abort', onAbort, { once: true });
      signal?.addEventListener('abort', onAbort, { once: true });
    });
  }
}

function fail(last: Attempt, attempts: number, error?: string, kind?: string): PostResult {
  return {
    ok: false,
    status: last.status,
    error: error ?? last.error ?? 'export failed',
    kind: kind ?? last.kind ?? 'unknown',
    attempts,
    body: last.body,
  };
}

function headerText(value: string | string[] | undefined): string | undefined {
  return Array.isArray(value) ? value[0] : value;
}

function networkError(error: unknown): string {
  const e = error as { code?: unknown; message?: unknown } | null;
  const code = typeof e?.code === 'string' ? e.code : undefined;
  const message = typeof e?.message === 'string' ? e.message : String(error);
  return code !== undefined && !message.includes(code) ? `${code}: ${message}` : message;
}

/** The start of a text response body, for an error message (nothing from a binary one). */
function snippet(headers: http.IncomingHttpHeaders, body: Buffer): string {
  const type = headerText(headers['content-type']) ?? '';
  if (body.length === 0 || /protobuf|octet-stream/i.test(type)) return '';
  const line = body.toString('utf8', 0, 1024).replace(/\s+/g, ' ').trim();
  if (line === '') return '';
  return `: ${line.length > 200 ? `${line.slice(0, 199)}…` : line}`;
}
