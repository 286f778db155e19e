// An ES module service with no tracing code: quotes a basket, asking the prices service over fetch.
//
//   OTEL_SERVICE_NAME=quotes PRICES_URL=http://127.0.0.1:3001 node --import sextant/register samples/zero-code/frontend.mjs
import http from 'node:http';

const { fetch } = globalThis; // Node's own (undici): traced through diagnostics_channel

const pricesUrl = process.env.PRICES_URL ?? 'http://127.0.0.1:3001';

const server = http.createServer(async (req, res) => {
  const match = /^\/quote\?items=([a-z,]+)$/.exec(req.url ?? '');
  if (match === null) {
    res.writeHead(404).end();
    return;
  }
  try {
    const prices = await Promise.all(
      match[1].split(',').map(async (sku) => {
        const response = await fetch(`${pricesUrl}/prices/${sku}`);
        if (!response.ok) throw new Error(`no price for ${sku}`);
        return (await response.json()).cents;
      }),
    );
    res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ cents: prices.reduce((a, b) => a + b, 0) }));
  } catch (error) {
    res.writeHead(502, { 'content-type': 'application/json' }).end(JSON.stringify({ error: error.message }));
  }
});

server.listen(Number(process.env.PORT ?? 3000), '127.0.0.1', () => {
  console.log(`quotes listening on http://127.0.0.1:${server.address().port}`);
});
