import type { IncomingMessage, ServerResponse } from 'node:http';
import { checkOptionalFunction, checkOptionsObject, middlewareOptionError } from './option-checks';
import { compileHeaderCapture, type HeaderCapture, type HeaderCaptureOptions } from './header-capture';
import { compilePathTemplate, type PathTemplate } from './path-template';
import { compileQueryRedaction, type QueryRedaction } from './url-redaction';

/** Options shared by `tracingMiddleware`, `traceHttpHandler` and `instrument()`. */
export interface ServerTracingOptions {
  /**
   * Requests to leave untraced, e.g. health checks: exact paths (the query is
   * ignored), RegExps tested against the path, or a function of the path and request.
   *
   *     ignorePaths: ['/healthz', /^\/static\//]
   */
  ignorePaths?: ReadonlyArray<string | RegExp> | ((path: string, req: IncomingMessage) => boolean);
  /**
   * Route templates that name spans when no router says which route matched
   * (plain `node:http`, or Express 404s): `['/users/:id', '/files/*']` names a request for
   * `/users/42` `GET /users/:id`. `:name` is one path segment; a final `*` is the rest.
   */
  pathTemplates?: readonly string[];
  /**
   * Decides the operation name when the response ends (so Express's `req.route` is
   * known). Overrides the route and template names.
   *
   *     operationName: (req) => `${req.method} ${req.headers['x-graphql-operation'] ?? 'graphql'}`
   */
  operationName?: (req: IncomingMessage, res: ServerResponse) => string;
  /**
   * Extra tags from the request, added when the span starts; they may override the
   * defaults (e.g. a redacted `http.url`).
   *
   *     tags: (req) => ({ 'tenant.id': req.headers['x-tenant'] })
   */
  tags?: (req: IncomingMessage) => Record<string, unknown> | undefined;
  /**
   * Query parameters whose values `http.url` shows as `REDACTED` (case-insensitive).
   * Default `DEFAULT_REDACTED_QUERY_PARAMETERS`; this list replaces it, so extend it
   * by spreading. A user name and password in the URL are always removed.
   *
   *     redactQueryParameters: [...DEFAULT_REDACTED_QUERY_PARAMETERS, 'session_id']
   */
  redactQueryParameters?: readonly string[];
  /**
   * Request and response headers to record as `http.request.header.<name>` /
   * `http.response.header.<name>` tags; none by default. Credential-like headers
   * (`authorization`, `cookie`, names with `token`, `secret`, ...) are recorded as `REDACTED`.
   *
   *     captureHeaders: { request: ['user-agent', 'x-request-id'], response: ['content-type'] }
   */
  captureHeaders?: HeaderCaptureOptions;
}

/** The options, checked and compiled once per middleware. */
export interface ServerSettings {
  readonly ignore: ((path: string, req: IncomingMessage) => boolean) | null;
  readonly templates: readonly PathTemplate[];
  readonly operationName: ((req: IncomingMessage, res: ServerResponse) => string) | null;
  readonly tags: ((req: IncomingMessage) => Record<string, unknown> | undefined) | null;
  readonly redaction: QueryRedaction;
  readonly headers: HeaderCapture;
}

const SERVER_OPTION_NAMES = ['ignorePaths', 'pathTemplates', 'operationName', 'tags', 'redactQueryParameters', 'captureHeaders'] as const;

function compileIgnore(owner: string, value: unknown): ServerSettings['ignore'] {
  if (value === undefined) return null;
  if (typeof value === 'function') return value as (path: string, req: IncomingMessage) => boolean;
  const expected = 'an array of strings and RegExps, or a function (path, req) => boolean';
  if (!Array.isArray(value)) throw middlewareOptionError(owner, 'options.ignorePaths', expected, value);
  const exact = new Set<string>();
  const patterns: RegExp[] = [];
  for (const entry of value as unknown[]) {
    if (typeof entry === 'string') exact.add(entry);
    // A global or sticky RegExp keeps lastIndex between tests; a fresh copy without those flags does not.
    else if (entry instanceof RegExp) patterns.push(new RegExp(entry.source, entry.flags.replace(/[gy]/g, '')));
    else throw middlewareOptionError(owner, 'options.ignorePaths', expected, entry);
  }
  if (exact.size === 0 && patterns.length === 0) return null;
  return (path) => exact.has(path) || patterns.some((p) => p.test(path));
}

function compileTemplates(owner: string, value: unknown): PathTemplate[] {
  if (value === undefined) return [];
  const expected = "an array of route templates starting with '/', e.g. ['/users/:id']";
  if (!Array.isArray(value)) throw middlewareOptionError(owner, 'options.pathTemplates', expected, value);
  return (value as unknown[]).map((template) => {
    const compiled = typeof template === 'string' ? compilePathTemplate(template) : null;
    if (compiled === null) throw middlewareOptionError(owner, 'options.pathTemplates', expected, template);
    return compiled;
  });
}

/** Checks the options (TypeError naming the bad one) and compiles them. */
export function compileServerOptions(owner: string, options: unknown, extraNames: readonly string[] = []): ServerSettings {
  const o = checkOptionsObject(owner, options, [...SERVER_OPTION_NAMES, ...extraNames]);
  checkOptionalFunction(owner, 'operationName', o.operationName);
  checkOptionalFunction(owner, 'tags', o.tags);
  return {
    ignore: compileIgnore(owner, o.ignorePaths),
    templates: compileTemplates(owner, o.pathTemplates),
    operationName: (o.operationName as ServerSettings['operationName']) ?? null,
    tags: (o.tags as ServerSettings['tags']) ?? null,
    redaction: compileQueryRedaction(owner, o.redactQueryParameters),
    headers: compileHeaderCapture(owner, o.captureHeaders),
  };
}
