/**
 * The registered routes (method + URL pattern), collected from Fastify's `onRoute` hook. Fastify
 * answers 404 for a known path with the wrong method; this table lets us answer 405 + `Allow`.
 */
export class RouteTable {
  private readonly routes: { pattern: RegExp; method: string }[] = [];

  add(methods: string | string[], url: string): void {
    const source = url
      .split('/')
      .map((segment) =>
        segment.startsWith(':') || segment === '*'
          ? '[^/]+'
          : segment.replace(/[.*+?^${}()|[\]\\]/g, '\\$&'),
      )
      .join('/');
    const pattern = new RegExp(`^${source}/?$`);
    for (const method of ([] as string[]).concat(methods)) {
      this.routes.push({ pattern, method: method.toUpperCase() });
    }
  }

  /** Methods registered for a concrete path, e.g. `['GET', 'HEAD', 'PATCH']`; empty when none. */
  allowedMethods(path: string): string[] {
    const bare = path.split('?')[0];
    const methods = this.routes.filter((r) => r.pattern.test(bare)).map((r) => r.method);
    return [...new Set(methods)].sort();
  }
}
