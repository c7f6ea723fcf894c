import { WorkerHealthServer } from '../../src/core/health';
import { createUser } from '../factories/identity.factory';
import { createTestApp, TestApp } from '../support/test-app';
import { ensureRoomInRateLimitWindow } from '../support/rate-limit-window';

interface Envelope {
  errors: { status: string; code: string }[];
}

/** Runs `count` calls of `call` with at most `concurrency` in flight; returns every status. */
async function hammer(
  count: number,
  concurrency: number,
  call: () => Promise<{ status: number }>,
): Promise<number[]> {
  const statuses: number[] = [];
  let next = 0;
  const lane = async () => {
    while (next < count) {
      next++;
      statuses.push((await call()).status);
    }
  };
  await Promise.all(Array.from({ length: concurrency }, lane));
  return statuses;
}

const PROBES = ['/healthz/live', '/healthz/ready', '/metrics'];

describe('probes: never rate limited, never logged at info', () => {
  let t: TestApp;

  beforeAll(async () => {
    t = await createTestApp({ env: { API_RATE_LIMIT_ANONYMOUS: '3/hour' } });
  });
  afterAll(async () => t.close());

  it.each(PROBES)(
    '1,000 anonymous GET %s all answer 200 with a 3/hour anonymous limit',
    async (path) => {
      const statuses = await hammer(1000, 16, () => t.http.get(path));
      expect(statuses).toHaveLength(1000);
      expect(statuses.filter((s) => s !== 200)).toEqual([]);
    },
    60_000,
  );

  it('the anonymous limit still applies to everything else (and no probe line is at info)', async () => {
    ensureRoomInRateLimitWindow(t.app, 3600);
    const statuses: number[] = [];
    for (let i = 0; i < 4; i++) {
      statuses.push(
        (await t.http.post('/api/v1/auth/password-reset/request').send({ email: 'x@example.test' }))
          .status,
      );
    }
    expect(statuses).toEqual([202, 202, 202, 429]);
    const accessLines = t.logs
      .lines()
      .filter((line) => typeof line.req === 'object' && line.responseTime !== undefined);
    const probeLines = accessLines.filter((line) =>
      PROBES.includes((line.req as { url: string }).url),
    );
    // LOG_LEVEL=info: debug lines are not written at all.
    expect(probeLines).toEqual([]);
    expect(
      accessLines.filter((l) => (l.req as { url: string }).url.startsWith('/api/v1/auth')),
    ).toHaveLength(4);
  });

  it("the worker's own health server answers 1,000 probes of each kind with 200", async () => {
    const worker = await t.startWorker();
    const port = worker.get(WorkerHealthServer).port;
    for (const path of ['/healthz/live', '/healthz/ready']) {
      const statuses = await hammer(1000, 16, () => fetch(`http://127.0.0.1:${port}${path}`));
      expect(statuses.filter((s) => s !== 200)).toEqual([]);
    }
  }, 60_000);
});

describe('METRICS_TOKEN closes /metrics', () => {
  let t: TestApp;

  beforeAll(async () => {
    t = await createTestApp({ env: { METRICS_TOKEN: 'scrape-secret-0123456789' } });
  });
  afterAll(async () => t.close());

  it.each([
    ['no header', undefined],
    ['a wrong token', 'Bearer scrape-secret-012345678X'],
    ['a prefix of the token', 'Bearer scrape-secret'],
    ['another scheme', 'Basic scrape-secret-0123456789'],
  ])('%s → 401 in the envelope, no metrics', async (_label, authorization) => {
    const req = t.http.get('/metrics');
    if (authorization) void req.set('Authorization', authorization);
    const res = await req.expect(401);
    expect((res.body as Envelope).errors[0]).toMatchObject({
      status: '401',
      code: 'invalid_metrics_token',
    });
    expect(res.text).not.toContain('http_request_duration_seconds');
  });

  it('the right bearer token → 200 Prometheus text', async () => {
    const res = await t.http
      .get('/metrics')
      .set('Authorization', 'Bearer scrape-secret-0123456789')
      .expect(200);
    expect(res.text).toContain('# TYPE http_request_duration_seconds histogram');
  });

  it('health probes stay open', async () => {
    await t.http.get('/healthz/live').expect(200);
    await t.http.get('/healthz/ready').expect(200);
  });
});

describe('TRUST_PROXY', () => {
  const loginAuditIps = async (t: TestApp, userId: string): Promise<(string | null)[]> =>
    (
      await t.dataSource.query<{ ip: string | null }[]>(
        `SELECT ip FROM audit_logs WHERE action = 'login.success' AND entity_id = $1 ORDER BY created_at`,
        [userId],
      )
    ).map((row) => row.ip);

  describe('=1 (one load balancer in front)', () => {
    let t: TestApp;

    beforeAll(async () => {
      t = await createTestApp({ env: { TRUST_PROXY: '1', API_RATE_LIMIT_ANONYMOUS: '3/hour' } });
    });
    afterAll(async () => t.close());

    it('two clients with different X-Forwarded-For get separate anonymous buckets', async () => {
      const call = (ip: string) =>
        t.http
          .post('/api/v1/auth/password-reset/request')
          .set('X-Forwarded-For', ip)
          .send({ email: 'nobody@example.test' });
      ensureRoomInRateLimitWindow(t.app, 3600);
      const first: number[] = [];
      for (let i = 0; i < 4; i++) first.push((await call('203.0.113.7')).status);
      expect(first).toEqual([202, 202, 202, 429]);
      const second: number[] = [];
      for (let i = 0; i < 3; i++) second.push((await call('198.51.100.23')).status);
      expect(second).toEqual([202, 202, 202]);
      // Only the last hop counts: a spoofed address before the proxy's is not believed.
      expect((await call('10.9.9.9, 203.0.113.7')).status).toBe(429);
    });

    it('the audit row of a login and the access log record the forwarded address', async () => {
      const user = await createUser(t.dataSource);
      await t.http
        .post('/api/v1/auth/login')
        .set('X-Forwarded-For', '192.0.2.44')
        .send({ email: user.email, password: user.password })
        .expect(200);
      expect(await loginAuditIps(t, user.id)).toEqual(['192.0.2.44']);
      const line = t.logs
        .lines()
        .find(
          (l) =>
            (l.req as { url?: string } | undefined)?.url === '/api/v1/auth/login' &&
            l.responseTime !== undefined,
        );
      expect((line?.req as { remoteAddress: string }).remoteAddress).toBe('192.0.2.44');
    });
  });

  describe('off (default)', () => {
    let t: TestApp;

    beforeAll(async () => {
      t = await createTestApp({ env: { API_RATE_LIMIT_ANONYMOUS: '3/hour' } });
    });
    afterAll(async () => t.close());

    it('X-Forwarded-For is ignored: one bucket, the socket address is audited', async () => {
      ensureRoomInRateLimitWindow(t.app, 3600);
      const statuses: number[] = [];
      for (const ip of ['203.0.113.1', '203.0.113.2', '203.0.113.3', '203.0.113.4']) {
        statuses.push(
          (
            await t.http
              .post('/api/v1/auth/password-reset/request')
              .set('X-Forwarded-For', ip)
              .send({ email: 'nobody@example.test' })
          ).status,
        );
      }
      expect(statuses).toEqual([202, 202, 202, 429]);
    });

    it('a login audit row carries the socket address, not the header', async () => {
      const other = await createTestApp();
      try {
        const user = await createUser(other.dataSource);
        await other.http
          .post('/api/v1/auth/login')
          .set('X-Forwarded-For', '192.0.2.44')
          .send({ email: user.email, password: user.password })
          .expect(200);
        const [ip] = await loginAuditIps(other, user.id);
        expect(ip).not.toBe('192.0.2.44');
        expect(ip).toMatch(/127\.0\.0\.1|::1/);
      } finally {
        await other.close();
      }
    });
  });
});
