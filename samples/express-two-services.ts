/**
 * Request-local tracing across two Express services, the whole pattern:
 *
 *   - `tracingMiddleware` continues the caller's trace from the request headers and keeps
 *     the request's server span active while the request is handled;
 *   - spans started in handlers (`startActiveSpan`, `startSpan`) become its children;
 *   - `tracedFetch` makes a client span for each outbound call and injects its context
 *     into the outgoing headers, so the next service continues the same trace.
 *
 * Both services run in this process on 127.0.0.1 (ephemeral ports) and share one
 * ConsoleRecorder, so the combined trace prints as one tree. The program exits by itself.
 *
 *     npx ts-node --transpile-only samples/express-two-services.ts
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import express from 'express';
import { ConsoleRecorder, Tracer, tracedFetch, tracingMiddleware } from '../lib';

interface User {
  id: string;
  name: string;
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** The downstream service: GET /users/:id, with a (pretend) database query. */
function usersService(tracer: Tracer): express.Express {
  const app = express();
  app.use(tracingMiddleware(tracer, { ignorePaths: ['/healthz'] }));
  app.get('/users/:id', async (req, res) => {
    const user = await tracer.startActiveSpan('db.find-user', async (span): Promise<User> => {
      span.setTag('db.type', 'sql');
      await sleep(5);
      return { id: req.params.id, name: 'Ada Lovelace' };
    });
    res.json(user);
  });
  return app;
}

/** The front service: GET /greet/:id calls the users service over HTTP. */
function frontendService(tracer: Tracer, usersUrl: string): express.Express {
  const fetch = tracedFetch(tracer);
  const app = express();
  const tracing = tracingMiddleware(tracer);
  app.use(tracing);
  app.get('/greet/:id', async (req, res) => {
    const response = await fetch(`${usersUrl}/users/${encodeURIComponent(req.params.id)}`);
    if (!response.ok) throw new Error(`users service answered ${response.status}`);
    const user = (await response.json()) as User;
    const greeting = tracer.startActiveSpan('render-greeting', () => `Hello, ${user.name}!`);
    res.send(greeting);
  });
  app.use(tracing.errorHandler);
  return app;
}

function start(app: express.Express): Promise<{ server: http.Server; url: string }> {
  const server = http.createServer(app);
  return new Promise((resolve) => {
    server.listen(0, '127.0.0.1', () => {
      resolve({ server, url: `http://127.0.0.1:${(server.address() as AddressInfo).port}` });
    });
  });
}

function stop(server: http.Server): Promise<void> {
  return new Promise((resolve) => {
    server.close(() => resolve());
    server.closeAllConnections();
  });
}

/**
 * Starts both services, sends one request to the front one, prints the combined trace
 * tree, and shuts everything down.
 */
export async function runTwoServices(write: (text: string) => void = (text) => void process.stdout.write(text)): Promise<void> {
  const recorder = new ConsoleRecorder({ write });
  const usersTracer = new Tracer({ serviceName: 'users', recorder });
  const frontendTracer = new Tracer({ serviceName: 'frontend', recorder });

  const users = await start(usersService(usersTracer));
  const frontend = await start(frontendService(frontendTracer, users.url));
  try {
    // A plain, untraced call: the front service's server span is the root of the trace.
    const answer = await (await fetch(`${frontend.url}/greet/42`)).text();
    write(`frontend answered: ${answer}\n`);
  } finally {
    await stop(frontend.server);
    await stop(users.server);
    // Prints anything still waiting (nothing, normally: the tree printed when the root span finished).
    await frontendTracer.close();
    await usersTracer.close();
  }
}

if (require.main === module) {
  runTwoServices().catch((error: unknown) => {
    console.error(error);
    process.exitCode = 1;
  });
}
