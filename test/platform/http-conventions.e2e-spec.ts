import { createTestApp, TestApp } from '../support/test-app';
import { probeState, ProbeModule } from '../support/probe.module';

interface Envelope {
  errors: {
    status: string;
    code: string;
    detail: string;
    source?: Record<string, string>;
    meta?: Record<string, unknown>;
  }[];
}

describe('HTTP conventions (envelope, request id, validation, concurrency, idempotency)', () => {
  let t: TestApp;

  beforeAll(async () => {
    t = await createTestApp({ imports: [ProbeModule] });
  });
  afterAll(async () => t.close());
  beforeEach(() => probeState.widgets.clear());

  describe('error envelope on every error path', () => {
    it('unknown route → 404 envelope with X-Request-ID', async () => {
      const res = await t.http.get('/api/v1/nope').expect(404);
      expect(res.headers['x-request-id']).toMatch(/^[0-9a-f-]{36}$/);
      expect(res.body).toEqual({
        errors: [{ status: '404', code: 'route_not_found', detail: 'No route GET /api/v1/nope' }],
      });
    });

    it('known path, wrong method → 405 with Allow', async () => {
      const res = await t.http.put('/api/v1/__probe/widgets').send({}).expect(405);
      expect(res.headers.allow).toBe('GET, HEAD, POST');
      expect((res.body as Envelope).errors[0]).toMatchObject({
        status: '405',
        code: 'method_not_allowed',
      });
    });

    it('malformed JSON → 400 malformed_json, nothing created', async () => {
      const res = await t.http
        .post('/api/v1/__probe/widgets')
        .set('content-type', 'application/json')
        .send('{"name": "x",')
        .expect(400);
      expect(res.body).toEqual({
        errors: [
          { status: '400', code: 'malformed_json', detail: 'The request body is not valid JSON' },
        ],
      });
      expect(probeState.widgets.size).toBe(0);
    });

    it('prototype pollution in JSON → 400', async () => {
      const res = await t.http
        .post('/api/v1/__probe/widgets')
        .set('content-type', 'application/json')
        .send('{"name":"x","colour":"red","__proto__":{"admin":true}}')
        .expect(400);
      expect((res.body as Envelope).errors[0].code).toBe('malformed_json');
    });

    it('wrong content type → 415', async () => {
      const res = await t.http
        .post('/api/v1/__probe/widgets')
        .set('content-type', 'text/plain')
        .send('name=x')
        .expect(415);
      expect((res.body as Envelope).errors[0]).toMatchObject({
        status: '415',
        code: 'unsupported_media_type',
      });
    });

    it('body over the limit → 413', async () => {
      const res = await t.http
        .post('/api/v1/__probe/widgets')
        .send({ name: 'x', colour: 'red', padding: 'x'.repeat(1_100_000) })
        .expect(413);
      expect((res.body as Envelope).errors[0]).toMatchObject({
        status: '413',
        code: 'payload_too_large',
      });
    });

    it('unique violation → 409 conflict naming the field', async () => {
      const res = await t.http.post('/api/v1/__probe/duplicate').expect(409);
      expect((res.body as Envelope).errors[0]).toMatchObject({
        status: '409',
        code: 'conflict',
        source: { pointer: '/key' },
        meta: { field: 'key', constraint: 'uq_idempotency_keys_scope_key' },
      });
    });

    it('unhandled error → 500 with no internals, logged with the request id', async () => {
      const res = await t.http
        .get('/api/v1/__probe/boom')
        .set('X-Request-ID', 'req-boom-000001')
        .expect(500);
      expect(res.body).toEqual({
        errors: [
          {
            status: '500',
            code: 'internal_server_error',
            detail: 'An unexpected error occurred; it has been logged',
          },
        ],
      });
      expect(JSON.stringify(res.body)).not.toMatch(/secret_table|Postgres|at /);
      const logged = t.logs.lines().find((l) => l.msg === 'Unhandled error');
      expect(logged).toMatchObject({ requestId: 'req-boom-000001', level: 50 });
    });

    it('invalid UUID in the path → 4xx envelope', async () => {
      const res = await t.http.get('/api/v1/__probe/widgets/not-a-uuid').expect(400);
      expect((res.body as Envelope).errors[0].status).toBe('400');
    });
  });

  describe('validation', () => {
    it('422 with one entry per field and JSON pointers (nested too), nothing written', async () => {
      const res = await t.http
        .post('/api/v1/__probe/widgets')
        .send({ name: '', colour: 'green', dimensions: { width: 0, height: 'tall' }, extra: 1 })
        .expect(422);
      const errors = (res.body as Envelope).errors;
      const pointers = errors.map((e) => e.source?.pointer).sort();
      expect(pointers).toEqual([
        '/colour',
        '/dimensions/height',
        '/dimensions/width',
        '/extra',
        '/name',
      ]);
      expect(errors.every((e) => e.status === '422' && e.code === 'validation_error')).toBe(true);
      expect(errors.find((e) => e.source?.pointer === '/extra')?.detail).toBe(
        'extra is not an accepted field',
      );
      expect(probeState.widgets.size).toBe(0);
    });

    it('missing body on a JSON route names the required fields', async () => {
      const res = await t.http.post('/api/v1/__probe/widgets').expect(422);
      const pointers = (res.body as Envelope).errors.map((e) => e.source?.pointer).sort();
      expect(pointers).toEqual(['/colour', '/name']);
    });

    it('wrong types are refused, not coerced', async () => {
      const res = await t.http
        .post('/api/v1/__probe/widgets')
        .send({ name: 42, colour: 'red', quantity: '5' })
        .expect(422);
      const pointers = (res.body as Envelope).errors.map((e) => e.source?.pointer).sort();
      expect(pointers).toEqual(['/name', '/quantity']);
    });
  });

  describe('request id', () => {
    it('echoes a sane X-Request-ID', async () => {
      const res = await t.http
        .get('/healthz/live')
        .set('X-Request-ID', 'client-abc-12345')
        .expect(200);
      expect(res.headers['x-request-id']).toBe('client-abc-12345');
    });

    it('replaces an unsafe one', async () => {
      const res = await t.http.get('/healthz/live').set('X-Request-ID', 'a b"<script>').expect(200);
      expect(res.headers['x-request-id']).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-7/);
    });

    it('every log line of a request carries its requestId; secrets are redacted', async () => {
      await t.http
        .post('/api/v1/__probe/widgets')
        .set('X-Request-ID', 'req-logs-0000001')
        .set('Authorization', 'Bearer super-secret-token')
        .send({ name: 'logged', colour: 'red' })
        .expect(201);
      const lines = t.logs.lines().filter((l) => l.requestId === 'req-logs-0000001');
      expect(lines.map((l) => l.msg)).toEqual(
        expect.arrayContaining(['widget created', 'request completed']),
      );
      expect(lines.filter((l) => l.msg === 'request completed')).toHaveLength(1);
      expect(JSON.stringify(t.logs.lines())).not.toContain('super-secret-token');
    });
  });

  describe('security headers and CORS', () => {
    it('sends nosniff, frame DENY, no X-Powered-By', async () => {
      const res = await t.http.get('/healthz/live').expect(200);
      expect(res.headers['x-content-type-options']).toBe('nosniff');
      expect(res.headers['x-frame-options']).toBe('DENY');
      expect(res.headers['x-powered-by']).toBeUndefined();
    });

    it('allows configured origins only', async () => {
      const allowed = await t.http.get('/healthz/live').set('Origin', 'http://localhost:3000');
      expect(allowed.headers['access-control-allow-origin']).toBe('http://localhost:3000');
      const other = await t.http.get('/healthz/live').set('Origin', 'https://evil.example');
      expect(other.headers['access-control-allow-origin']).toBeUndefined();
    });
  });

  describe('ETag / If-Match', () => {
    it('GET returns an ETag; a stale If-Match is 412; two PATCHes with the same If-Match → one 200, one 412', async () => {
      const created = await t.http
        .post('/api/v1/__probe/widgets')
        .send({ name: 'w', colour: 'red' })
        .expect(201);
      const id = (created.body as { id: string }).id;
      expect(created.headers.location).toBe(`/api/v1/__probe/widgets/${id}`);
      const got = await t.http.get(`/api/v1/__probe/widgets/${id}`).expect(200);
      expect(got.headers.etag).toBe('"1"');

      const [a, b] = await Promise.all([
        t.http.patch(`/api/v1/__probe/widgets/${id}`).set('If-Match', '"1"').send({ name: 'a' }),
        t.http.patch(`/api/v1/__probe/widgets/${id}`).set('If-Match', '"1"').send({ name: 'b' }),
      ]);
      expect([a.status, b.status].sort()).toEqual([200, 412]);
      const loser = a.status === 412 ? a : b;
      expect((loser.body as Envelope).errors[0].code).toBe('precondition_failed');
      const after = await t.http.get(`/api/v1/__probe/widgets/${id}`).expect(200);
      expect(after.headers.etag).toBe('"2"');

      await t.http.delete(`/api/v1/__probe/widgets/${id}`).set('If-Match', '"1"').expect(412);
      await t.http.delete(`/api/v1/__probe/widgets/${id}`).set('If-Match', 'garbage').expect(412);
      await t.http.delete(`/api/v1/__probe/widgets/${id}`).set('If-Match', '"2"').expect(204);
    });
  });

  describe('Idempotency-Key', () => {
    it('replays the first response for the same key and body, runs the handler once', async () => {
      probeState.creations = 0;
      const body = { name: 'once', colour: 'blue' };
      const first = await t.http
        .post('/api/v1/__probe/widgets')
        .set('Idempotency-Key', 'key-1')
        .send(body)
        .expect(201);
      const second = await t.http
        .post('/api/v1/__probe/widgets')
        .set('Idempotency-Key', 'key-1')
        .send(body)
        .expect(201);
      expect(second.body).toEqual(first.body);
      expect(second.headers['idempotent-replayed']).toBe('true');
      expect(second.headers.location).toBe(first.headers.location);
      expect(probeState.creations).toBe(1);
      const rows = await t.dataSource.query<{ state: string; response_status: number }[]>(
        `SELECT state, response_status FROM idempotency_keys WHERE key = 'key-1'`,
      );
      expect(rows).toEqual([{ state: 'completed', response_status: 201 }]);
    });

    it('same key with another body → 422 idempotency_key_reused', async () => {
      await t.http
        .post('/api/v1/__probe/widgets')
        .set('Idempotency-Key', 'key-2')
        .send({ name: 'a', colour: 'red' })
        .expect(201);
      const res = await t.http
        .post('/api/v1/__probe/widgets')
        .set('Idempotency-Key', 'key-2')
        .send({ name: 'b', colour: 'red' })
        .expect(422);
      expect((res.body as Envelope).errors[0].code).toBe('idempotency_key_reused');
    });

    it('a failed first attempt releases the key so the retry really runs', async () => {
      await t.http
        .post('/api/v1/__probe/widgets')
        .set('Idempotency-Key', 'key-3')
        .send({ name: 'x' })
        .expect(422);
      await t.http
        .post('/api/v1/__probe/widgets')
        .set('Idempotency-Key', 'key-3')
        .send({ name: 'x', colour: 'red' })
        .expect(201);
    });
  });

  describe('list grammar', () => {
    it('returns the page shape', async () => {
      for (const colour of ['red', 'blue', 'red']) {
        await t.http.post('/api/v1/__probe/widgets').send({ name: colour, colour }).expect(201);
      }
      const res = await t.http
        .get('/api/v1/__probe/widgets?colour=red&size=1&page=2&sort=name')
        .expect(200);
      expect(res.body).toMatchObject({ total: 2, page: 2, size: 1, pages: 2 });
      expect((res.body as { items: unknown[] }).items).toHaveLength(1);
    });

    it('unknown filter, bad sort and oversized page → 422 naming each parameter', async () => {
      const res = await t.http
        .get('/api/v1/__probe/widgets?size=101&sort=secret&bogus=1&colour=green')
        .expect(422);
      const parameters = (res.body as Envelope).errors.map((e) => e.source?.parameter).sort();
      expect(parameters).toEqual(['bogus', 'colour', 'size', 'sort']);
    });
  });
});
