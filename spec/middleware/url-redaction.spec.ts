import http from 'node:http';
import {
  DEFAULT_REDACTED_QUERY_PARAMETERS,
  InMemoryRecorder,
  Tracer,
  traceHttpHandler,
  tracedFetch,
  tracedRequest,
  tracingMiddleware,
} from '../../lib';
import { close, isClientSpan, isServerSpan, listen, spansWhen } from '../helpers/middleware';

const SECRET_QUERY =
  'AWSAccessKeyId=AKIA1&Signature=s1&sig=s2&X-Goog-Signature=s3&token=s4&access_token=s5&password=s6&secret=s7&api_key=s8&apikey=s9&key=s10&code=s11';
const REDACTED_QUERY = SECRET_QUERY.replace(/=s?\w+/g, '=REDACTED');

describe('http.url redaction (issue 11 item 6)', () => {
  let recorder: InMemoryRecorder;
  let tracer: Tracer;
  let server: http.Server | null = null;

  beforeEach(() => {
    recorder = new InMemoryRecorder();
    tracer = new Tracer({ serviceName: 'redaction', recorder, logger: { warn: () => undefined } });
  });
  afterEach(async () => {
    if (server !== null) await close(server);
    server = null;
  });

  async function serve(handler: http.RequestListener): Promise<string> {
    server = http.createServer(handler);
    return listen(server);
  }

  it('lists at least the parameters the contract names', () => {
    expect(DEFAULT_REDACTED_QUERY_PARAMETERS).toEqual(
      expect.arrayContaining([
        'AWSAccessKeyId',
        'Signature',
        'sig',
        'X-Goog-Signature',
        'token',
        'access_token',
        'password',
        'secret',
        'api_key',
        'apikey',
        'key',
        'code',
      ]),
    );
  });

  it('replaces credential-like query values on server spans, names matched case-insensitively and after decoding', async () => {
    const base = await serve(traceHttpHandler(tracer, (_req, res) => res.end('ok')));

    await (await fetch(`${base}/a?${SECRET_QUERY}&page=2`)).text();
    await (await fetch(`${base}/b?TOKEN=x&%74oken=y&Password&safe=1#frag`)).text();
    await (await fetch(`${base}/c?plain=1`)).text();
    const spans = await spansWhen(recorder, 3, isServerSpan);

    expect(spans.map((s) => s.tags['http.url'])).toEqual([
      `/a?${REDACTED_QUERY}&page=2`,
      '/b?TOKEN=REDACTED&%74oken=REDACTED&Password&safe=1',
      '/c?plain=1',
    ]);
  });

  it('removes user and password from an absolute-form request target', async () => {
    const base = await serve(traceHttpHandler(tracer, (_req, res) => res.end('ok')));
    const { port } = new URL(base);
    await new Promise<void>((resolve, reject) => {
      http
        .get({ host: '127.0.0.1', port, path: 'http://alice:hunter2@example.test/x?sig=abc' }, (res) => res.resume().on('end', resolve))
        .on('error', reject);
    });
    const [span] = await spansWhen(recorder, 1);
    expect(span.tags['http.url']).toBe('http://example.test/x?sig=REDACTED');
  });

  it('takes its list from options.redactQueryParameters (replacing the default)', async () => {
    const app = tracingMiddleware(tracer, { redactQueryParameters: ['session'] });
    const base = await serve((req, res) => app(req, res, () => res.end('ok')));
    await (await fetch(`${base}/x?session=abc&token=visible`)).text();
    const [span] = await spansWhen(recorder, 1);
    expect(span.tags['http.url']).toBe('/x?session=REDACTED&token=visible');
  });

  it('redacts client spans: tracedFetch and tracedRequest drop user:password and credential values', async () => {
    const base = await serve((_req, res) => res.end('ok'));
    const withUser = base.replace('http://', 'http://bob:pw@');
    const fetchTraced = tracedFetch(tracer);
    const request = tracedRequest(tracer);

    await (await fetchTraced(`${base}/f?${SECRET_QUERY}`)).text();
    await new Promise<void>((resolve, reject) => {
      request(`${withUser}/r?api_key=k&q=1`, (res) => res.resume().on('end', resolve))
        .on('error', reject)
        .end();
    });
    const spans = await spansWhen(recorder, 2, isClientSpan);

    expect(spans.map((s) => s.tags['http.url'])).toEqual([`${base}/f?${REDACTED_QUERY}`, `${base}/r?api_key=REDACTED&q=1`]);
    expect(JSON.stringify(spans)).not.toMatch(/bob|:pw@/);
  });

  it('refuses a list that is not one of names', () => {
    expect(() => tracedFetch(tracer, { redactQueryParameters: [''] })).toThrow(/tracedFetch options.redactQueryParameters must be/);
    expect(() => traceHttpHandler(tracer, () => undefined, { redactQueryParameters: 'sig' as never })).toThrow(
      /traceHttpHandler options.redactQueryParameters must be/,
    );
  });
});
