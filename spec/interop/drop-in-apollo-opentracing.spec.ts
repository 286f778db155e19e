/**
 * apollo-opentracing from npm, unchanged, with sextant as its tracer, on the Apollo
 * Server it declares as peer (`apollo-server` >= 3; 3.x is that package's last major).
 */
import type * as opentracing from 'opentracing';
import { InMemoryRecorder, Tracer, type FinishedSpan } from '../../lib';
import { spansWhen } from '../helpers/middleware';

// Loaded with require and typed here: their declarations pull in lru-cache's, which add
// the DOM library to every file the project type-checks (and change fetch's Headers).
interface ApolloServerLike {
  listen(options: { port: number; host: string }): Promise<{ url: string }>;
  stop(): Promise<void>;
}
/* eslint-disable @typescript-eslint/no-require-imports */
const { ApolloServer, gql } = require('apollo-server') as {
  ApolloServer: new (config: { typeDefs: unknown; resolvers: unknown; cache: 'bounded'; plugins: unknown[] }) => ApolloServerLike;
  gql: (template: TemplateStringsArray) => unknown;
};
const ApolloOpenTracing = (
  require('apollo-opentracing') as { default: (options: { server: opentracing.Tracer; local: opentracing.Tracer }) => unknown }
).default;
/* eslint-enable @typescript-eslint/no-require-imports */

const typeDefs = gql`
  type User {
    id: ID!
    name: String
    friends: [User]
  }
  type Query {
    user(id: ID!): User
  }
`;

const people: Record<string, { id: string; name: string; friends: string[] }> = {
  '1': { id: '1', name: 'Ada', friends: ['2', '3'] },
  '2': { id: '2', name: 'Grace', friends: [] },
  '3': { id: '3', name: 'Edsger', friends: [] },
};

const resolvers = {
  Query: {
    user: async (_source: unknown, args: { id: string }) => {
      await new Promise((resolve) => setTimeout(resolve, 1));
      return people[args.id];
    },
  },
  User: {
    friends: (user: { friends: string[] }) => user.friends.map((id) => people[id]),
  },
};

describe('drop-in: apollo-opentracing on apollo-server 3', () => {
  let recorder: InMemoryRecorder;
  let tracer: Tracer;
  let server: ApolloServerLike;
  let url: string;

  beforeEach(async () => {
    recorder = new InMemoryRecorder();
    tracer = new Tracer({ serviceName: 'graphql', recorder, logger: { warn: () => undefined } });
    server = new ApolloServer({
      typeDefs,
      resolvers,
      cache: 'bounded',
      plugins: [ApolloOpenTracing({ server: tracer, local: tracer })],
    });
    ({ url } = await server.listen({ port: 0, host: '127.0.0.1' }));
  });
  afterEach(async () => {
    await server.stop();
  });

  async function query(body: object, headers: Record<string, string> = {}): Promise<unknown> {
    const res = await fetch(url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...headers },
      body: JSON.stringify(body),
    });
    return res.json();
  }

  it('nests the field spans under the request span, which continues the upstream trace', async () => {
    const traceId = '4bf92f3577b34da6a3ce929d0e0e4736';
    const answer = await query(
      { query: 'query GetUser { user(id: "1") { name friends { name } } }', operationName: 'GetUser' },
      { traceparent: `00-${traceId}-00f067aa0ba902b7-01` },
    );
    expect(answer).toEqual({ data: { user: { name: 'Ada', friends: [{ name: 'Grace' }, { name: 'Edsger' }] } } });
    // The request span, user, user.name, user.friends, and a name span per friend.
    const spans = await spansWhen(recorder, 6);

    const byId = new Map(spans.map((s) => [s.spanId, s]));
    const path = (span: FinishedSpan): string[] => {
      const names: string[] = [];
      for (
        let s: FinishedSpan | undefined = span;
        s !== undefined;
        s = s.parentSpanId === undefined ? undefined : byId.get(s.parentSpanId)
      ) {
        names.unshift(s.operationName);
      }
      return names;
    };
    const request = spans.find((s) => s.operationName === 'GetUser' || s.operationName === 'request')!;
    expect(request).toMatchObject({ traceId, parentSpanId: '00f067aa0ba902b7' });
    expect(spans.every((s) => s.traceId === traceId)).toBe(true);
    expect(
      spans
        .filter((s) => s !== request)
        .map((s) => path(s).slice(1).join(' > '))
        .sort(),
    ).toEqual(['user', 'user > friends', 'user > friends > name', 'user > friends > name', 'user > name']);
  });

  it('starts a new trace for a request with no upstream context', async () => {
    await query({ query: '{ user(id: "2") { name } }' });
    const spans = await spansWhen(recorder, 3);
    const roots = spans.filter((s) => s.parentSpanId === undefined);
    expect(roots).toHaveLength(1);
    expect(new Set(spans.map((s) => s.traceId)).size).toBe(1);
  });
});
