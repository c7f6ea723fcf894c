interface RouteEntry {
  /** The URL template as registered, e.g. `/api/v1/files/:id`. */
  url: string;
  /** `url` split on `/`. */
  segments: string[];
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
  /**
   * Per template Fastify matched (`/api/v1/files/:id`): itself and the routes that could match a
   * path it matches (see `mayOverlap`), in registration order. Built on first use and dropped when
   * a route is added: a request then tests a handful of patterns rather than every route (the
   * full scan was ~5 % of the API's CPU per authenticated GET by id, Node 24 profile).
   */
  private readonly rivals = new Map<string, { own: RouteEntry; rivals: RouteEntry[] }>();

  add(methods: string | string[], url: string): void {
    const segments = url.split('/');
    const source = segments
      .map((segment) =>
        isParameter(segment) ? '[^/]+' : segment.replace(/[.*+?^${}()|[\]\\]/g, '\\$&'),
      )
      .join('/');
    const pattern = new RegExp(`^${source}/?$`);
    const specificity = segments
      .map((segment) => (segment === '*' ? '0' : segment.startsWith(':') ? '1' : '2'))
      .join('');
    for (const method of ([] as string[]).concat(methods)) {
      this.routes.push({ url, segments, pattern, specificity, method: method.toUpperCase() });
    }
    this.rivals.clear();
  }

  /**
   * The templates among `candidates` (default: all) that match a concrete path, most specific
   * first (ties keep registration order).
   */
  private matching(path: string, candidates: RouteEntry[] = this.routes): RouteEntry[] {
    const bare = path.split('?')[0];
    return candidates
      .filter((route) => route.pattern.test(bare))
      .sort((a, b) => (a.specificity < b.specificity ? 1 : a.specificity > b.specificity ? -1 : 0));
  }

  /**
   * The first route registered with template `url` and the routes that may match a path it
   * matches (a superset); undefined when no route has that template.
   */
  private rivalsOf(url: string): { own: RouteEntry; rivals: RouteEntry[] } | undefined {
    let entry = this.rivals.get(url);
    if (entry === undefined) {
      const own = this.routes.find((route) => route.url === url);
      if (own === undefined) return undefined;
      const rivals = this.routes.filter((route) => mayOverlap(own.segments, route.segments));
      entry = { own, rivals };
      this.rivals.set(url, entry);
    }
    return entry;
  }

  /**
   * Methods of the template that owns a concrete path (the most specific one that matches), e.g.
   * `['GET', 'HEAD', 'PATCH']`; empty when no template matches.
   */
  allowedMethods(path: string): string[] {
    return this.ownerMethods(this.matching(path));
  }

  /** The methods of the most specific templates in `matches` (sorted as `matching` does). */
  private ownerMethods(matches: RouteEntry[]): string[] {
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
    // Every route that matches the path overlaps the matched template when that template matches
    // it too (Fastify's `*` spans segments, ours does not: then scan them all, as before).
    const entry = matchedUrl === undefined ? undefined : this.rivalsOf(matchedUrl);
    const allowed =
      entry !== undefined && entry.own.pattern.test(path.split('?')[0])
        ? this.ownerMethods(this.matching(path, entry.rivals))
        : this.allowedMethods(path);
    if (allowed.length === 0) return matchedUrl ? { kind: 'ok' } : { kind: 'not-found' };
    if (allowed.includes(method.toUpperCase())) return { kind: 'ok' };
    // CORS preflights (OPTIONS) are answered by the CORS plugin's wildcard route.
    if (matchedUrl && method.toUpperCase() === 'OPTIONS') return { kind: 'ok' };
    return { kind: 'method-not-allowed', allowed };
  }
}

/** A `:name` parameter or a `*` wildcard: matches any one non-empty segment. */
function isParameter(segment: string): boolean {
  return segment.startsWith(':') || segment === '*';
}

/**
 * Whether some path may match both templates (given as segments). A template of n segments
 * matches the paths of n segments, plus one trailing slash: two templates of the same length
 * overlap unless some position holds two different literals; lengths one apart overlap only when
 * the longer ends with an empty segment (a trailing `/`); conservative (a superset is harmless).
 */
function mayOverlap(a: string[], b: string[]): boolean {
  if (a.length !== b.length) {
    if (Math.abs(a.length - b.length) > 1) return false;
    return (a.length > b.length ? a : b)[Math.max(a.length, b.length) - 1] === '';
  }
  return a.every((segment, i) => segment === b[i] || isParameter(segment) || isParameter(b[i]));
}
