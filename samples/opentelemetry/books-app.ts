/**
 * The application of samples/opentelemetry-graphql.ts: a GraphQL endpoint on plain
 * `node:http`, its request spans from sextant's OpenTracing `traceHttpHandler`. Loaded
 * only after the OpenTelemetry instrumentation is registered, so `graphql` is patched.
 */
import * as http from 'node:http';
import { buildSchema, graphql } from 'graphql';
import { traceHttpHandler } from '../../lib';
import type { Tracer } from '../../lib';
import { findBooks } from './catalog';

const schema = buildSchema(`
  type Book { title: String!, author: String! }
  type Query { books(author: String!): [Book!]! }
`);

/** A server answering POST /graphql; each request is an OpenTracing server span. */
export function booksServer(tracer: Tracer): http.Server {
  const rootValue = {
    // An OpenTracing span inside the resolver span OpenTelemetry's instrumentation made.
    books: ({ author }: { author: string }) => tracer.startActiveSpan('load-books', () => findBooks(author)),
  };
  return http.createServer(
    traceHttpHandler(tracer, (req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (chunk: Buffer) => chunks.push(chunk));
      req.on('end', () => {
        const span = tracer.activeSpan();
        span?.setBaggageItem('tenant', String(req.headers['x-tenant'] ?? 'anonymous'));
        const { query } = JSON.parse(Buffer.concat(chunks).toString('utf8')) as { query: string };
        void graphql({ schema, source: query, rootValue }).then((result) => {
          res.setHeader('content-type', 'application/json');
          res.end(JSON.stringify(result));
        });
      });
    }),
  );
}
