import * as http from 'node:http';

// autocannon ships no types; this is the part the bench uses.
// eslint-disable-next-line @typescript-eslint/no-require-imports
const autocannon = require('autocannon') as (options: Record<string, unknown>) => Promise<AutocannonResult>;

interface AutocannonResult {
  requests: { total: number };
  duration: number;
  errors: number;
  timeouts: number;
  non2xx: number;
}

export interface LoadResult {
  requests: number;
  seconds: number;
  perSecond: number;
  failures: number;
}

/**
 * Drives `port` on 127.0.0.1 from this process with autocannon: a fixed number of
 * keep-alive connections, for `seconds` (autocannon runs whole seconds, at least one)
 * or for `amount` requests.
 */
export async function load(port: number, connections: number, limit: { seconds: number } | { amount: number }): Promise<LoadResult> {
  const result = await autocannon({
    url: `http://127.0.0.1:${port}/`,
    connections,
    pipelining: 1,
    ...('seconds' in limit ? { duration: limit.seconds } : { amount: limit.amount }),
  });
  const failures = result.errors + result.timeouts + result.non2xx;
  return { requests: result.requests.total, seconds: result.duration, perSecond: result.requests.total / result.duration, failures };
}

/**
 * `total` keep-alive GETs, `connections` at a time: a warm-up (JIT, connection set-up)
 * without autocannon's fixed one-second minimum per run. Resolves with the failures.
 */
export async function warm(port: number, connections: number, total: number): Promise<number> {
  const agent = new http.Agent({ keepAlive: true, maxSockets: connections });
  let next = 0;
  let failures = 0;
  const worker = async () => {
    while (next < total) {
      next++;
      const response = await get(port, {}, agent).catch(() => null);
      if (response === null || response.status !== 200) failures++;
    }
  };
  try {
    await Promise.all(Array.from({ length: connections }, worker));
  } finally {
    agent.destroy();
  }
  return failures;
}

/** One GET with the given headers; resolves with the status and body. */
export function get(
  port: number,
  headers: Record<string, string>,
  agent: http.Agent | false = false,
): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const request = http.get({ host: '127.0.0.1', port, path: '/', headers, agent }, (response) => {
      let body = '';
      response.setEncoding('utf8');
      response.on('data', (chunk: string) => (body += chunk));
      response.on('end', () => resolve({ status: response.statusCode ?? 0, body }));
    });
    request.on('error', reject);
    request.setTimeout(5000, () => request.destroy(new Error('timeout')));
  });
}
