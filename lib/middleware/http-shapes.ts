import type { IncomingMessage, ServerResponse } from 'node:http';

/**
 * What sextant reads from an Express or Connect request, beyond Node's own
 * `IncomingMessage`. Declared structurally so that lib/ never loads Express.
 */
export interface RoutedRequest extends IncomingMessage {
  /** Express/Connect: the URL as received, before sub-routers strip their mount path */
  originalUrl?: string;
  /** Express: the mount path of the router that matched */
  baseUrl?: string;
  /** Express: the route that matched, known once routing has happened */
  route?: { path?: unknown };
}

/** Express/Connect's `next`. */
export type NextFunction = (error?: unknown) => void;

/** A Connect-style middleware: `app.use(middleware)`. */
export type Middleware = (req: IncomingMessage, res: ServerResponse, next: NextFunction) => void;

/** A Connect-style error middleware (four parameters, which is how Express tells them apart). */
export type ErrorMiddleware = (error: unknown, req: IncomingMessage, res: ServerResponse, next: NextFunction) => void;

/** A plain `node:http` request listener. */
export type RequestHandler<Req extends IncomingMessage = IncomingMessage, Res extends ServerResponse = ServerResponse> = (
  req: Req,
  res: Res,
) => unknown;
