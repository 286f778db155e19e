// A CommonJS service with no tracing code: prices by SKU.
//
//   OTEL_SERVICE_NAME=prices PORT=3001 node --require sextant/register samples/zero-code/backend.cjs
const http = require('node:http');
const { setTimeout: sleep } = require('node:timers/promises');

const PRICES = { apple: 120, pear: 95 };

const server = http.createServer(async (req, res) => {
  const match = /^\/prices\/([a-z]+)$/.exec(req.url ?? '');
  const price = match === null ? undefined : PRICES[match[1]];
  await sleep(2); // a database, say
  if (price === undefined) {
    res.writeHead(404, { 'content-type': 'application/json' }).end('{"error":"unknown sku"}');
    return;
  }
  res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ sku: match[1], cents: price }));
});

server.listen(Number(process.env.PORT ?? 3001), '127.0.0.1', () => {
  console.log(`prices listening on http://127.0.0.1:${server.address().port}`);
});
