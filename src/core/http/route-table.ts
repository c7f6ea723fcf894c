interface RouteEntry {
  /** The URL template as registered, e.g. `/api/v1/files/:id`. */
  url: string;
  pattern: RegExp;
  /** One digit per segment, 2 for a literal, 1 for a parameter, 0 for a wildcard: higher is more specific. */
  specificity: string;
  method: string;
}

/** What the route table says about a request (see `RouteTable.resolve`). */
export type RouteResolution =
  { kind: 'ok' } | { kind: 'not-found' } | { kind: 'method-not-allowed'; allowed: string[] };

/**
 * The registered routes (method + URL template), collected from Fastify's `onRoute` hook. Fastify
 * answers 404 for a known path with the wrong method, and lets `GET /files/presigned-uploads` fall
 * through to `GET /files/:id` when only `POST /files/presigned-uploads` exists; this table lets us
 * answer 405 + `Allow` in both cases (the most specific template owns a path: literal segments beat
 * parameters, parameters beat wildcards).
 */
export class RouteTable {
  private readonly routes: RouteEntry[] = [];

  add(methods: string | string[], url: string): void {
    const segments = url.split('/');
    const source = segments
      .map((segment) =>
        segment.startsWith(':') || segment === '*'
          ? '[^/]+'
          : segment.replace(/[.*+?^${}()|[\]\\]/g, '\\$&'),
      )
      .join('/');
    const pattern = new RegExp(`^${source}/?$`);
    const specificity = segments
      .map((segment) => (segment === '*' ? '0' : segment.startsWith(':') ? '1' : '2'))
      .join('');
    for (const method of ([] as string[]).concat(methods)) {
      this.routes.push({ url, pattern, specificity, method: method.toUpperCase() });
    }
  }

  /** The templates that match a concrete path, most specific first (ties keep registration order). */
  private matching(path: string): RouteEntry[] {
    const bare = path.split('?')[0];
    return this.routes
      .filter((route) => route.pattern.test(bare))
      .sort((a, b) => (a.specificity < b.specificity ? 1 : a.specificity > b.specificity ? -1 : 0));
  }

  /**
   * Methods of the template that owns a concrete path (the most specific one that matches), e.g.
   * `['GET', 'HEAD', 'PATCH']`; empty when no template matches.
   */
  allowedMethods(path: string): string[] {
    const matches = this.matching(path);
    if (matches.length === 0) return [];
    const owner = matches[0].specificity;
    const methods = matches.filter((r) => r.specificity === owner).map((r) => r.method);
    return [...new Set(methods)].sort();
  }

  /**
   * Whether `method path` is served by the template Fastify picked (`matchedUrl`, undefined when
   * Fastify found none): 404 when no template matches the path, 405 (with the owner's methods) when
   * the owner template does not take this method — even if a less specific template (`:id`) would.
   */
  resolve(method: string, path: string, matchedUrl: string | undefined): RouteResolution {
    const allowed = this.allowedMethods(path);
    if (allowed.length === 0) return matchedUrl ? { kind: 'ok' } : { kind: 'not-found' };
    if (allowed.includes(method.toUpperCase())) return { kind: 'ok' };
    // CORS preflights (OPTIONS) are answered by the CORS plugin's wildcard route.
    if (matchedUrl && method.toUpperCase() === 'OPTIONS') return { kind: 'ok' };
    return { kind: 'method-not-allowed', allowed };
  }
}
