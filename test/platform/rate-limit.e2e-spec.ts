import { createUser } from '../factories/identity.factory';
import { Actor, createTenant } from '../support/auth';
import { createTestApp, TestApp } from '../support/test-app';
import { ensureRoomInRateLimitWindow } from '../support/rate-limit-window';

interface Envelope {
  errors: { status: string; code: string; meta?: { retryAfterSeconds?: number } }[];
}

describe('rate limiting (Redis, per caller)', () => {
  let t: TestApp;
  let owner: Actor;

  beforeAll(async () => {
    t = await createTestApp({
      env: { API_RATE_LIMIT_ANONYMOUS: '5/minute', API_RATE_LIMIT_USER: '8/minute' },
    });
    // The login below and the bursts of the first two tests must fall in one minute window.
    ensureRoomInRateLimitWindow(t.app, 60, 50);
    owner = await createTenant(t); // one anonymous request (login)
  });
  afterAll(async () => t.close());

  it('anonymous callers get 429 with Retry-After past their limit', async () => {
    const statuses: number[] = [];
    let last;
    for (let i = 0; i < 5; i++) {
      last = await t.http
        .post('/api/v1/auth/password-reset/request')
        .send({ email: 'nobody@example.test' });
      statuses.push(last.status);
    }
    expect(statuses).toEqual([202, 202, 202, 202, 429]);
    const body = last?.body as Envelope;
    expect(body.errors[0]).toMatchObject({ status: '429', code: 'rate_limited' });
    const retryAfter = Number(last?.headers['retry-after']);
    expect(retryAfter).toBeGreaterThan(0);
    expect(retryAfter).toBeLessThanOrEqual(60);
  });

  it('authenticated callers have their own, larger budget', async () => {
    const statuses: number[] = [];
    for (let i = 0; i < 9; i++) statuses.push((await owner.get('/api/v1/auth/me')).status);
    expect(statuses.filter((s) => s === 200)).toHaveLength(8);
    expect(statuses[8]).toBe(429);
  });

  it('login is limited per IP + email: the 11th try within 15 minutes is refused', async () => {
    const other = await createTestApp({ env: { API_RATE_LIMIT_ANONYMOUS: '1000/minute' } });
    try {
      const user = await createUser(other.dataSource);
      ensureRoomInRateLimitWindow(other.app, 900);
      const statuses: number[] = [];
      for (let i = 0; i < 11; i++) {
        statuses.push(
          (
            await other.http
              .post('/api/v1/auth/login')
              .send({ email: user.email, password: 'wrong-password-1' })
          ).status,
        );
      }
      expect(statuses.slice(0, 10).every((s) => s === 401)).toBe(true);
      expect(statuses[10]).toBe(429);
      // Another email from the same IP is not affected.
      const second = await createUser(other.dataSource);
      await other.http
        .post('/api/v1/auth/login')
        .send({ email: second.email, password: second.password })
        .expect(200);
    } finally {
      await other.close();
    }
  });
});
