import { RequestMethod } from '@nestjs/common';
import { METHOD_METADATA, PATH_METADATA, ROUTE_ARGS_METADATA } from '@nestjs/common/constants';
import { ModulesContainer } from '@nestjs/core';
import { currentUserIdOf, USER_REQUIRED_KEY } from '../../src/core/auth';
import { createUser } from '../factories/identity.factory';
import { Actor, actorFor, createTenant, login } from '../support/auth';
import { createTestApp, TestApp } from '../support/test-app';

interface Envelope {
  errors: { status: string; code: string; detail: string }[];
}
interface LoginEvent {
  at: string;
  outcome: string;
  ip: string | null;
  userAgent: string | null;
  reason: string | null;
}
interface Session {
  id: string;
  createdAt: string;
  lastUsedAt: string;
  ip: string | null;
  userAgent: string | null;
  current: boolean;
}

interface Route {
  method: string;
  path: string;
  userRequired: boolean;
  readsUserId: boolean;
}

/** Every route of the real app, with whether it is marked @RequireUser and reads @CurrentUserId. */
function walkRoutes(t: TestApp): Route[] {
  const routes: Route[] = [];
  for (const module of t.app.get(ModulesContainer).values()) {
    for (const wrapper of module.controllers.values()) {
      const controller = wrapper.metatype as (new (...args: never[]) => object) | null;
      if (!controller) continue;
      const base = String(Reflect.getMetadata(PATH_METADATA, controller) ?? '');
      const prototype = controller.prototype as Record<string, unknown>;
      for (const name of Object.getOwnPropertyNames(prototype)) {
        const handler = prototype[name];
        if (name === 'constructor' || typeof handler !== 'function') continue;
        const path = Reflect.getMetadata(PATH_METADATA, handler) as string | undefined;
        if (path === undefined) continue;
        const args = (Reflect.getMetadata(ROUTE_ARGS_METADATA, controller, name) ?? {}) as Record<
          string,
          { factory?: unknown }
        >;
        routes.push({
          method: RequestMethod[Reflect.getMetadata(METHOD_METADATA, handler) as number],
          path: `/api/v1/${[base, path].filter((p) => p && p !== '/').join('/')}`,
          userRequired:
            (Reflect.getMetadata(USER_REQUIRED_KEY, handler) ??
              Reflect.getMetadata(USER_REQUIRED_KEY, controller)) === true,
          readsUserId: Object.values(args).some((arg) => arg.factory === currentUserIdOf),
        });
      }
    }
  }
  return routes.sort((a, b) => `${a.path} ${a.method}`.localeCompare(`${b.path} ${b.method}`));
}

const UA_PHONE = 'AleesTest/1.0 (phone)';
const UA_LAPTOP = 'AleesTest/1.0 (laptop)';

describe('routes that act for a person', () => {
  let t: TestApp;
  let owner: Actor;
  let apiKey: string;

  beforeAll(async () => {
    t = await createTestApp();
    owner = await createTenant(t);
    const roles = (await owner.get('/api/v1/roles').expect(200)).body as {
      id: string;
      name: string;
    }[];
    const ownerRole = roles.find((r) => r.name === 'Owner');
    apiKey = (
      (
        await owner
          .post('/api/v1/api-keys')
          .send({ name: 'robot', roleId: ownerRole?.id })
          .expect(201)
      ).body as { key: string }
    ).key;
  });
  afterAll(async () => t.close());

  it('every handler that reads the caller’s user id is marked @RequireUser (and only those)', () => {
    const routes = walkRoutes(t);
    expect(routes.filter((r) => r.readsUserId && !r.userRequired)).toEqual([]);
    expect(routes.filter((r) => r.userRequired).map((r) => `${r.method} ${r.path}`)).toEqual([
      'POST /api/v1/auth/2fa/disable',
      'POST /api/v1/auth/2fa/enrol',
      'POST /api/v1/auth/2fa/verify',
      'GET /api/v1/auth/me',
      'GET /api/v1/auth/me/login-history',
      'GET /api/v1/auth/me/sessions',
      'DELETE /api/v1/auth/me/sessions/:id',
      'POST /api/v1/auth/password',
      'GET /api/v1/chat-rooms',
      'POST /api/v1/chat-rooms',
      'GET /api/v1/chat-rooms/:id',
      'GET /api/v1/chat-rooms/:id/messages',
      'POST /api/v1/chat-rooms/:id/messages',
      'POST /api/v1/chat-rooms/:id/participants',
      'DELETE /api/v1/chat-rooms/:id/participants/:userId',
      'POST /api/v1/comments',
      'DELETE /api/v1/comments/:id',
      'PATCH /api/v1/comments/:id',
      'POST /api/v1/comments/:id/hide',
      'DELETE /api/v1/comments/:id/reactions/:emoji',
      'PUT /api/v1/comments/:id/reactions/:emoji',
      'POST /api/v1/comments/:id/unhide',
      'POST /api/v1/documents/:id/checkin',
      'POST /api/v1/documents/:id/checkout',
      'DELETE /api/v1/followers/:entityType/:entityId/me',
      'PUT /api/v1/followers/:entityType/:entityId/me',
      'GET /api/v1/me/activities',
      'DELETE /api/v1/me/avatar',
      'PUT /api/v1/me/avatar',
      'POST /api/v1/me/calendar-feed-tokens',
      'DELETE /api/v1/me/calendar-feed-tokens/:id',
      'GET /api/v1/me/notification-preferences',
      'PUT /api/v1/me/notification-preferences',
      'GET /api/v1/me/profile',
      'PATCH /api/v1/me/profile',
      'POST /api/v1/meetings',
      'DELETE /api/v1/meetings/:id',
      'PATCH /api/v1/meetings/:id',
      'POST /api/v1/meetings/:id/cancel',
      'POST /api/v1/meetings/:id/join',
      'POST /api/v1/meetings/:id/participants',
      'DELETE /api/v1/meetings/:id/participants/:participantId',
      'POST /api/v1/meetings/:id/rsvp',
      'GET /api/v1/notifications',
      'DELETE /api/v1/notifications/:id',
      'POST /api/v1/notifications/:id/read',
      'POST /api/v1/notifications/:id/unread',
      'POST /api/v1/notifications/broadcast',
      'POST /api/v1/notifications/read-all',
      'GET /api/v1/notifications/unread-count',
      'GET /api/v1/saved-filters',
      'POST /api/v1/saved-filters',
      'DELETE /api/v1/saved-filters/:id',
      'GET /api/v1/saved-filters/:id',
      'PATCH /api/v1/saved-filters/:id',
      'GET /api/v1/users/:id/profile',
    ]);
  });

  it('an API key (Owner role) gets 403 user_required on each of them, and nothing is written', async () => {
    const routes = walkRoutes(t).filter((r) => r.userRequired);
    const countRows = async () =>
      (
        await t.dataSource.query<{ n: string }[]>(
          `SELECT (SELECT count(*) FROM audit_logs) + (SELECT count(*) FROM chat_rooms)
                + (SELECT count(*) FROM login_events) + (SELECT count(*) FROM comments)
                + (SELECT count(*) FROM notifications) + (SELECT count(*) FROM followers)
                + (SELECT count(*) FROM notification_preferences) AS n`,
        )
      )[0].n;
    const before = await countRows();
    for (const route of routes) {
      const url = route.path.replace(/:[A-Za-z]+/g, '0190a5b4-0000-7000-8000-000000000001');
      const method = route.method.toLowerCase() as 'get' | 'post' | 'delete';
      const res = await t.http[method](url)
        .set('X-API-Key', apiKey)
        .send(method === 'get' || method === 'delete' ? undefined : {});
      expect({ route: `${route.method} ${route.path}`, status: res.status }).toEqual({
        route: `${route.method} ${route.path}`,
        status: 403,
      });
      expect((res.body as Envelope).errors[0]).toMatchObject({
        status: '403',
        code: 'user_required',
      });
    }
    expect(await countRows()).toBe(before);
  });

  it('the same routes still work for a signed-in person', async () => {
    await owner.get('/api/v1/auth/me').expect(200);
    await owner.get('/api/v1/auth/me/sessions').expect(200);
    await owner.get('/api/v1/auth/me/login-history').expect(200);
    await owner.get('/api/v1/chat-rooms').expect(200);
  });

  it('the OpenAPI document says so: 403 user_required and x-user-required on each', async () => {
    const doc = (await t.http.get('/docs-json').expect(200)).body as {
      paths: Record<
        string,
        Record<
          string,
          { 'x-user-required'?: boolean; responses: Record<string, { description: string }> }
        >
      >;
    };
    for (const route of walkRoutes(t).filter((r) => r.userRequired)) {
      const path = route.path.replace(/:([A-Za-z]+)/g, '{$1}');
      const operation = doc.paths[path]?.[route.method.toLowerCase()];
      expect(operation?.['x-user-required']).toBe(true);
      expect(operation?.responses['403'].description).toContain('user_required');
    }
  });
});

describe('login history and sessions', () => {
  let t: TestApp;

  beforeAll(async () => {
    t = await createTestApp();
  });
  afterAll(async () => t.close());

  it('records successes, failures and the lockout with IP and user agent, newest first, cursor paged', async () => {
    const person = await createTenant(t);
    for (let i = 0; i < 5; i++) {
      await t.http
        .post('/api/v1/auth/login')
        .set('User-Agent', UA_PHONE)
        .send({ email: person.user.email, password: 'wrong-password-x' })
        .expect(401);
    }
    // Locked now: even the right password fails, recorded as `locked`.
    await t.http
      .post('/api/v1/auth/login')
      .set('User-Agent', UA_PHONE)
      .send({ email: person.user.email, password: person.user.password })
      .expect(401);

    const page1 = (await person.get('/api/v1/auth/me/login-history?size=3').expect(200)).body as {
      items: LoginEvent[];
      total: number;
      nextCursor?: string;
    };
    expect(page1.total).toBe(7);
    expect(page1.items.map((e) => [e.outcome, e.reason])).toEqual([
      ['failure', 'locked'],
      ['lockout', 'wrong_password'],
      ['failure', 'wrong_password'],
    ]);
    expect(page1.items[0]).toMatchObject({
      ip: expect.stringMatching(/127\.0\.0\.1/),
      userAgent: UA_PHONE,
    });
    expect(Date.parse(page1.items[0].at)).toBeGreaterThan(0);
    const page2 = (
      await person
        .get(`/api/v1/auth/me/login-history?size=3&cursor=${page1.nextCursor ?? ''}`)
        .expect(200)
    ).body as { items: LoginEvent[]; nextCursor?: string };
    expect(page2.items.map((e) => e.outcome)).toEqual(['failure', 'failure', 'failure']);
    const page3 = (
      await person
        .get(`/api/v1/auth/me/login-history?size=3&cursor=${page2.nextCursor ?? ''}`)
        .expect(200)
    ).body as { items: LoginEvent[]; nextCursor?: string };
    // The oldest: the sign-in of createTenant.
    expect(page3.items).toEqual([expect.objectContaining({ outcome: 'success', reason: null })]);
    expect(page3.nextCursor).toBeUndefined();

    const [{ n }] = await t.dataSource.query<{ n: string }[]>(
      'SELECT count(*) AS n FROM login_events WHERE user_id = $1',
      [person.user.id],
    );
    expect(Number(n)).toBe(7);
  });

  it('a bad cursor or an unknown parameter is 422 naming it', async () => {
    const person = await createTenant(t);
    const res = await person.get('/api/v1/auth/me/login-history?cursor=nonsense').expect(422);
    expect(JSON.stringify(res.body)).toContain('cursor');
    await person.get('/api/v1/auth/me/login-history?outcome=failure').expect(422);
  });

  it('a person never sees another person’s history or sessions', async () => {
    const a = await createTenant(t);
    const b = await createTenant(t);
    await t.http
      .post('/api/v1/auth/login')
      .send({ email: a.user.email, password: 'wrong-password-x' })
      .expect(401);
    const historyB = (await b.get('/api/v1/auth/me/login-history').expect(200)).body as {
      items: LoginEvent[];
      total: number;
    };
    expect(historyB.total).toBe(1);
    expect(historyB.items.map((e) => e.outcome)).toEqual(['success']);
    const sessionsA = (await a.get('/api/v1/auth/me/sessions').expect(200)).body as Session[];
    const sessionsB = (await b.get('/api/v1/auth/me/sessions').expect(200)).body as Session[];
    expect(sessionsB.map((s) => s.id)).not.toContain(sessionsA[0].id);

    // B cannot end A's session: 404 like a random id, and A's refresh token still works.
    const res = await b.delete(`/api/v1/auth/me/sessions/${sessionsA[0].id}`).expect(404);
    expect((res.body as Envelope).errors[0].code).toBe('not_found');
    const random = await b
      .delete('/api/v1/auth/me/sessions/0190a5b4-0000-7000-8000-0000000000aa')
      .expect(404);
    expect(random.body).toEqual(res.body);
    await t.http
      .post('/api/v1/auth/refresh')
      .send({ refreshToken: a.tokens.refreshToken })
      .expect(200);
  });

  it('lists each sign-in as a session with its client, marks the current one, and revokes one', async () => {
    const user = await createUser(t.dataSource);
    const phone = await t.http
      .post('/api/v1/auth/login')
      .set('User-Agent', UA_PHONE)
      .send({ email: user.email, password: user.password })
      .expect(200);
    const laptop = await t.http
      .post('/api/v1/auth/login')
      .set('User-Agent', UA_LAPTOP)
      .send({ email: user.email, password: user.password })
      .expect(200);
    const phoneTokens = phone.body as { accessToken: string; refreshToken: string };
    const laptopTokens = laptop.body as { accessToken: string; refreshToken: string };
    // The phone refreshes: its session is now the most recently used one, still one session.
    const refreshed = (
      await t.http
        .post('/api/v1/auth/refresh')
        .set('User-Agent', `${UA_PHONE} v2`)
        .send({ refreshToken: phoneTokens.refreshToken })
        .expect(200)
    ).body as { accessToken: string; refreshToken: string };

    const asLaptop = { Authorization: `Bearer ${laptopTokens.accessToken}` };
    const sessions = (await t.http.get('/api/v1/auth/me/sessions').set(asLaptop).expect(200))
      .body as Session[];
    expect(sessions).toHaveLength(2);
    expect(sessions.map((s) => [s.userAgent, s.current])).toEqual([
      [`${UA_PHONE} v2`, false],
      [UA_LAPTOP, true],
    ]);
    expect(sessions[0].ip).toMatch(/127\.0\.0\.1/);
    expect(Date.parse(sessions[0].lastUsedAt)).toBeGreaterThanOrEqual(
      Date.parse(sessions[0].createdAt),
    );

    await t.http.delete(`/api/v1/auth/me/sessions/${sessions[0].id}`).set(asLaptop).expect(204);
    // The phone's access and refresh tokens are dead at once; the laptop's session remains.
    await t.http
      .get('/api/v1/auth/me')
      .set('Authorization', `Bearer ${refreshed.accessToken}`)
      .expect(401);
    await t.http.get('/api/v1/auth/me').set(asLaptop).expect(200);
    const dead = await t.http
      .post('/api/v1/auth/refresh')
      .send({ refreshToken: refreshed.refreshToken })
      .expect(401);
    expect((dead.body as Envelope).errors[0].code).toBe('refresh_token_reused');
    const left = (await t.http.get('/api/v1/auth/me/sessions').set(asLaptop).expect(200))
      .body as Session[];
    expect(left.map((s) => s.id)).toEqual([sessions[1].id]);
    const [revoked] = await t.dataSource.query<{ n: string }[]>(
      'SELECT count(*) AS n FROM refresh_tokens WHERE family_id = $1 AND revoked_at IS NULL',
      [sessions[0].id],
    );
    expect(Number(revoked.n)).toBe(0);
    // Ending it again: 404 (no longer active).
    await t.http.delete(`/api/v1/auth/me/sessions/${sessions[0].id}`).set(asLaptop).expect(404);
    await t.http.delete('/api/v1/auth/me/sessions/not-a-uuid').set(asLaptop).expect(400);
  });

  it('logout ends the session’s access token at once, not after it expires', async () => {
    const user = await createUser(t.dataSource);
    const tokens = await login(t, user.email, user.password);
    const bearer = { Authorization: `Bearer ${tokens.accessToken}` };
    await t.http.get('/api/v1/auth/me').set(bearer).expect(200);
    await t.http
      .post('/api/v1/auth/logout')
      .send({ refreshToken: tokens.refreshToken })
      .expect(204);
    const res = await t.http.get('/api/v1/auth/me').set(bearer).expect(401);
    expect((res.body as Envelope).errors[0].code).toBe('invalid_token');
  });

  it('another tenant’s owner cannot read or end a session through the organization header either', async () => {
    const a = await createTenant(t);
    const b = await createTenant(t);
    const foreign = actorFor(
      t,
      b.user,
      a.organization,
      await login(t, b.user.email, b.user.password),
    );
    // B acting with A's organization id is refused outright; B's own view shows only B.
    await foreign.get('/api/v1/auth/me/sessions').expect(403);
    const own = (await b.get('/api/v1/auth/me/sessions').expect(200)).body as Session[];
    const mine = (await a.get('/api/v1/auth/me/sessions').expect(200)).body as Session[];
    expect(own.map((s) => s.id).filter((id) => mine.some((m) => m.id === id))).toEqual([]);
  });
});
