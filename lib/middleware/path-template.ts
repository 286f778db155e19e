/** A route template such as `/users/:id`, compiled once. */
export interface PathTemplate {
  readonly template: string;
  readonly pattern: RegExp;
}

const SEGMENT_NAME = /^:[A-Za-z_$][\w$]*$/;

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/**
 * Compiles `/users/:id/orders/*`: `:name` stands for one non-empty segment, a final
 * `*` for the rest of the path, anything else must match exactly. A trailing slash on
 * the request path is tolerated, as Express does by default.
 * Returns null for a template it cannot use (the caller reports it).
 */
export function compilePathTemplate(template: string): PathTemplate | null {
  if (typeof template !== 'string' || !template.startsWith('/')) return null;
  const segments = template === '/' ? [] : template.slice(1).split('/');
  let source = '';
  for (let i = 0; i < segments.length; i++) {
    const segment = segments[i];
    if (segment === '*' && i === segments.length - 1) source += '(?:/.*)?';
    else if (segment.startsWith(':')) {
      if (!SEGMENT_NAME.test(segment)) return null;
      source += '/[^/]+';
    } else if (segment.includes('*') || segment.includes(':')) return null;
    else source += `/${escapeRegExp(segment)}`;
  }
  return { template, pattern: new RegExp(`^${source}/?$`) };
}

/** The first template that matches `path`, or null. */
export function matchPathTemplate(templates: readonly PathTemplate[], path: string): string | null {
  for (const t of templates) if (t.pattern.test(path)) return t.template;
  return null;
}

/** The path part of a request URL: no query, no fragment. */
export function pathOf(url: string): string {
  let end = url.length;
  const query = url.indexOf('?');
  if (query !== -1) end = query;
  const hash = url.indexOf('#');
  if (hash !== -1 && hash < end) end = hash;
  return end === url.length ? url : url.slice(0, end);
}
