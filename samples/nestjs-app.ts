/**
 * Tracing a NestJS app, on either of Nest's HTTP adapters: sextant's helper for the
 * framework underneath, registered on the app in `bootstrap()`, plus one global
 * interceptor that records handler errors (Nest's exception filters answer them before
 * Express or Fastify would see them).
 *
 *   - Express adapter: `app.use(tracingMiddleware(tracer))`;
 *   - Fastify adapter: `await app.register(fastifyTracing(tracer))`.
 *
 * Either way each request gets a server span continuing the caller's trace, named after
 * the route (`GET /orders/:id`), active in guards, interceptors, pipes and handlers, and
 * spans you start there are its children.
 *
 * In a Nest CLI project you write the controller with decorators (`@Controller('orders')`,
 * `@Get(':id')`, `@Param('id')`); this sample applies the same decorators as plain calls
 * so that it runs under this repository's compiler settings, which do not enable
 * `experimentalDecorators`. The tracing part is the same either way.
 *
 * The program serves two requests on 127.0.0.1, prints their traces, and exits.
 *
 *     npx ts-node --transpile-only samples/nestjs-app.ts            # Express adapter
 *     npx ts-node --transpile-only samples/nestjs-app.ts --fastify  # Fastify adapter
 */
import 'reflect-metadata';
import { Controller, Get, Module, Param, Post, type CallHandler, type ExecutionContext, type NestInterceptor } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { FastifyAdapter, type NestFastifyApplication } from '@nestjs/platform-fastify';
import type { NestExpressApplication } from '@nestjs/platform-express';
import { catchError, throwError } from 'rxjs';
import type { IncomingMessage } from 'node:http';
import { ConsoleRecorder, fastifyTracing, recordError, registeredTracer, requestSpan, Tracer, tracingMiddleware } from '../lib';

// Under `node --require sextant/register`, the registered tracer already exports every
// request's span: use it, so this app's own spans go to the same place, in the same trace.
const tracer = registeredTracer() ?? new Tracer({ serviceName: 'orders', recorder: new ConsoleRecorder() });
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

class OrdersController {
  async find(id: string): Promise<{ id: string; total: number }> {
    return tracer.startActiveSpan('db.load-order', async (span) => {
      span.setTag('db.system', 'postgresql');
      await sleep(5);
      return { id, total: 42 };
    });
  }

  async refund(): Promise<never> {
    await sleep(1);
    throw new Error('refunds are closed on Sundays');
  }
}
// @Controller('orders') class OrdersController { @Get(':id') find(@Param('id') id: string) … @Post(':id/refund') refund() … }
const method = (name: keyof OrdersController) => Object.getOwnPropertyDescriptor(OrdersController.prototype, name)!;
Controller('orders')(OrdersController);
Get(':id')(OrdersController.prototype, 'find', method('find'));
Param('id')(OrdersController.prototype, 'find', 0);
Post(':id/refund')(OrdersController.prototype, 'refund', method('refund'));

class AppModule {}
Module({ controllers: [OrdersController] })(AppModule); // @Module({ controllers: [OrdersController] })

/** Records an error a handler throws on the request's span; Nest's filters then answer it as usual. */
const recordHandlerErrors: NestInterceptor = {
  intercept(context: ExecutionContext, next: CallHandler) {
    return next.handle().pipe(
      catchError((error: unknown) => {
        // Express hands Nest Node's request; Fastify its own request, with Node's as .raw.
        const request = context.switchToHttp().getRequest<IncomingMessage & { raw?: IncomingMessage }>();
        const span = requestSpan(request.raw ?? request);
        if (span !== null) recordError(span, error);
        return throwError(() => error);
      }),
    );
  },
};

async function bootstrap(adapter: 'express' | 'fastify'): Promise<{ url: string; close(): Promise<void> }> {
  // logger: false keeps this sample's output to its traces; Nest would log the refund error.
  if (adapter === 'fastify') {
    const app = await NestFactory.create<NestFastifyApplication>(AppModule, new FastifyAdapter(), { logger: false });
    await app.register(fastifyTracing(tracer, { ignorePaths: ['/healthz'] }));
    app.useGlobalInterceptors(recordHandlerErrors);
    await app.listen(0, '127.0.0.1');
    return { url: await app.getUrl(), close: () => app.close() };
  }
  const app = await NestFactory.create<NestExpressApplication>(AppModule, { logger: false });
  app.use(tracingMiddleware(tracer, { ignorePaths: ['/healthz'] }));
  app.useGlobalInterceptors(recordHandlerErrors);
  await app.listen(0, '127.0.0.1');
  return { url: await app.getUrl(), close: () => app.close() };
}

async function main(): Promise<void> {
  const app = await bootstrap(process.argv.includes('--fastify') ? 'fastify' : 'express');
  try {
    console.log('GET  /orders/42        ->', (await fetch(`${app.url}/orders/42`)).status);
    console.log('POST /orders/42/refund ->', (await fetch(`${app.url}/orders/42/refund`, { method: 'POST' })).status);
  } finally {
    await app.close();
    await tracer.close();
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exitCode = 1;
});
