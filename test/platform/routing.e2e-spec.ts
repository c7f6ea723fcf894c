import type { Test } from 'supertest';
import { createTestApp, TestApp } from '../support/test-app';

interface Envelope {
  errors: { status: string; code: string; meta?: { allowed?: string[] } }[];
}
type PathItem = Record<string, unknown>;

const METHODS = ['get', 'put', 'post', 'delete', 'patch'] as const;

/** `/api/v1/files/{id}` → a regex matching concrete paths of that template. */
const templatePattern = (path: string) => new RegExp(`^${path.replace(/\{[^}]+\}/g, '[^/]+')}$`);

describe('routing: 405 with Allow, literal routes never fall through to {id}', () => {
  let t: TestApp;
  let paths: Record<string, PathItem>;

  beforeAll(async () => {
    t = await createTestApp();
    paths = (await t.http.get('/docs-json').expect(200)).body.paths as Record<string, PathItem>;
  }, 60_000);
  afterAll(async () => t.close());
  /** Any method supertest knows (QUERY, PROPFIND, ... are not in its typings). */
  const send = (method: string, url: string): Test =>
    (t.http as unknown as Record<string, (path: string) => Test>)[method.toLowerCase()](url);

  const methodsOf = (path: string) =>
    METHODS.filter((m) => paths[path][m]).map((m) => m.toUpperCase());

  it('every literal path shadowed by a parameter route answers 405 for the methods it lacks', async () => {
    // Pairs from the route table itself: /files/presigned-uploads vs /files/{id}, and so on.
    const pairs: { literal: string; parameter: string }[] = [];
    for (const literal of Object.keys(paths)) {
      if (literal.includes('{')) continue;
      for (const parameter of Object.keys(paths)) {
        if (parameter !== literal && templatePattern(parameter).test(literal))
          pairs.push({ literal, parameter });
      }
    }
    expect(pairs.map((p) => p.literal)).toContain('/api/v1/files/presigned-uploads');
    const failures: string[] = [];
    for (const { literal, parameter } of pairs) {
      const own = methodsOf(literal);
      for (const method of methodsOf(parameter).filter((m) => !own.includes(m))) {
        const res = await t.http[method.toLowerCase() as (typeof METHODS)[number]](literal);
        const allowed = (res.headers.allow ?? '').split(', ');
        if (
          res.status !== 405 ||
          own.some((m) => !allowed.includes(m)) ||
          (res.body as Envelope).errors?.[0]?.code !== 'method_not_allowed'
        )
          failures.push(`${method} ${literal} → ${res.status} Allow: ${res.headers.allow}`);
      }
    }
    expect(failures).toEqual([]);
  });

  it('GET /files/presigned-uploads is a 405 (POST only), not a 400 "uuid expected"', async () => {
    const res = await t.http.get('/api/v1/files/presigned-uploads').expect(405);
    expect(res.headers.allow).toBe('POST');
    expect(res.body).toEqual({
      errors: [
        {
          status: '405',
          code: 'method_not_allowed',
          detail: 'GET is not allowed here; allowed: POST',
          meta: { allowed: ['POST'] },
        },
      ],
    });
  });

  it('methods Fastify parses a body for, sent without Content-Type, are a 405 too', async () => {
    for (const method of ['query', 'propfind', 'search', 'lock'] as const) {
      const res = await send(method, '/api/v1/auth/me');
      expect({ method, status: res.status, allow: res.headers.allow }).toEqual({
        method,
        status: 405,
        allow: 'GET, HEAD, PATCH', // PATCH /auth/me: a person's own profile
      });
      expect((res.body as Envelope).errors[0].code).toBe('method_not_allowed');
    }
    const typed = await send('QUERY', '/api/v1/auth/me')
      .set('content-type', 'application/json')
      .send('{}');
    expect(typed.status).toBe(405);
  });

  it('an unknown path is still a 404, whatever the method', async () => {
    const res = await send('QUERY', '/api/v1/nope');
    expect(res.status).toBe(404);
    expect((res.body as Envelope).errors[0].code).toBe('route_not_found');
  });

  it('the router’s own refusals answer in the envelope, with a request id, on every parameter route', async () => {
    // Fastify refuses these before routing (no hook, no Nest handler ran): a path parameter over
    // 200 characters (414) and a malformed percent-encoding (400). Every route with a parameter,
    // with each method it has, is tried, and the document lists the 414.
    const templates = Object.keys(paths).filter((p) => p.includes('{'));
    expect(templates.length).toBeGreaterThan(30);
    for (const template of templates) {
      for (const method of methodsOf(template)) {
        const long = template.replace(/\{[^}]+\}/, 'a'.repeat(201)).replace(/\{[^}]+\}/g, 'x');
        const res = await send(method, long).set('X-Request-ID', 'probe-414');
        expect({ template, method, status: res.status }).toEqual({ template, method, status: 414 });
        expect((res.body as Envelope).errors).toEqual([
          { status: '414', code: 'uri_too_long', detail: expect.any(String) as string },
        ]);
        expect(res.headers['x-request-id']).toBe('probe-414');
        expect(res.headers['x-content-type-options']).toBe('nosniff');
        const operation = paths[template][method.toLowerCase()] as {
          responses: Record<string, unknown>;
        };
        expect(Object.keys(operation.responses)).toContain('414');
      }
    }
    const bad = await send('GET', '/api/v1/products/%E0%A4%A');
    expect(bad.status).toBe(400);
    expect((bad.body as Envelope).errors[0].code).toBe('bad_request');
  });
});
