import { Controller, Get, Module } from '@nestjs/common';
import { ApiOkResponse } from '@nestjs/swagger';
import { RequirePermissions } from '../../src/core/auth';
import { loadConfig } from '../../src/core/config/load-config';
import { FeatureFlag } from '../../src/modules/feature-flags/feature-flag.guard';
import { createUser } from '../factories/identity.factory';
import { Actor, actorFor, createTenant, login } from '../support/auth';
import { createTestApp, TestApp } from '../support/test-app';

@Controller('__flagged')
class FlaggedController {
  @Get()
  @RequirePermissions()
  @FeatureFlag('beta.reports')
  @ApiOkResponse({ schema: { type: 'object' } })
  get() {
    return { beta: true };
  }
}
@Module({ controllers: [FlaggedController] })
class FlaggedModule {}

interface Envelope {
  errors: { code: string; source?: { pointer?: string } }[];
}

describe('feature flags', () => {
  let t: TestApp;
  let superuser: Actor;
  let owner: Actor;
  let other: Actor;

  beforeAll(async () => {
    t = await createTestApp({ imports: [FlaggedModule] });
    owner = await createTenant(t);
    other = await createTenant(t);
    const admin = await createUser(t.dataSource, { isSuperuser: true });
    superuser = actorFor(t, admin, owner.organization, await login(t, admin.email, admin.password));
  });
  afterAll(async () => t.close());

  const evaluate = async (actor: Actor) =>
    (
      (await actor.get('/api/v1/feature-flags/evaluate').expect(200)).body as {
        flags: Record<string, boolean>;
      }
    ).flags;

  it('superusers create, read (ETag), update (If-Match) and delete flags; every change audited', async () => {
    const created = await superuser
      .post('/api/v1/feature-flags')
      .send({ key: 'exports.xlsx', description: 'XLSX exports', enabled: true })
      .expect(201);
    expect(created.headers.location).toBe('/api/v1/feature-flags/exports.xlsx');
    const read = await superuser.get('/api/v1/feature-flags/exports.xlsx').expect(200);
    expect(read.headers.etag).toBe('"1"');
    await superuser
      .patch('/api/v1/feature-flags/exports.xlsx')
      .set('If-Match', '"7"')
      .send({ enabled: false })
      .expect(412);
    const updated = await superuser
      .patch('/api/v1/feature-flags/exports.xlsx')
      .set('If-Match', '"1"')
      .send({ enabled: false })
      .expect(200);
    expect(updated.body).toMatchObject({ enabled: false, version: 2 });
    expect(
      (await superuser.post('/api/v1/feature-flags').send({ key: 'exports.xlsx' })).status,
    ).toBe(409);
    await superuser.delete('/api/v1/feature-flags/exports.xlsx').set('If-Match', '"2"').expect(204);
    await superuser.get('/api/v1/feature-flags/exports.xlsx').expect(404);
    const actions = await t.dataSource.query<{ action: string }[]>(
      `SELECT action FROM audit_logs WHERE entity_type = 'feature_flag' AND changes->>'code' = 'exports.xlsx' ORDER BY created_at, id`,
    );
    expect(actions.map((a) => a.action)).toEqual(['create', 'update', 'delete']);
  });

  it('refuses bad input with pointers, and tenants (even Owners) cannot manage flags', async () => {
    const bad = await superuser.post('/api/v1/feature-flags').send({
      key: 'Bad Key',
      rules: { percentage: 150, userIds: ['nope'], environments: ['moon'] },
    });
    expect(bad.status).toBe(422);
    expect((bad.body as Envelope).errors.map((e) => e.source?.pointer).sort()).toEqual([
      '/key',
      '/rules/environments',
      '/rules/percentage',
      '/rules/userIds',
    ]);
    for (const res of [
      await owner.get('/api/v1/feature-flags'),
      await owner.post('/api/v1/feature-flags').send({ key: 'sneaky' }),
    ]) {
      expect(res.status).toBe(403);
    }
    const role = await owner
      .post('/api/v1/roles')
      .send({ name: 'Flagger', permissions: ['feature-flags:manage'] });
    expect(role.status).toBe(422);
  });

  it('evaluates per caller: organization targeting, disabled wins, changes apply at once', async () => {
    await superuser
      .post('/api/v1/feature-flags')
      .send({
        key: 'beta.reports',
        enabled: true,
        rules: { organizationIds: [owner.organization.id] },
      })
      .expect(201);
    expect((await evaluate(owner))['beta.reports']).toBe(true);
    expect((await evaluate(other))['beta.reports']).toBe(false);
    await owner.get('/api/v1/__flagged').expect(200);
    const hidden = await other.get('/api/v1/__flagged');
    expect(hidden.status).toBe(404);
    expect((hidden.body as Envelope).errors[0].code).toBe('not_found');

    await superuser
      .patch('/api/v1/feature-flags/beta.reports')
      .send({ enabled: false })
      .expect(200);
    expect((await evaluate(owner))['beta.reports']).toBe(false); // the cache was dropped with the write
    await owner.get('/api/v1/__flagged').expect(404);

    await superuser
      .patch('/api/v1/feature-flags/beta.reports')
      .send({ enabled: true, rules: { userIds: [other.user.id] } })
      .expect(200);
    expect((await evaluate(other))['beta.reports']).toBe(true);
    expect((await evaluate(owner))['beta.reports']).toBe(false);
  });

  it('evaluates from PostgreSQL when Redis is down', async () => {
    // A second API on the same database whose Redis is unreachable (nothing listens on port 1).
    const config = loadConfig({
      ENVIRONMENT: 'test',
      DATABASE_URL: t.environment.database.url,
      REDIS_URL: 'redis://127.0.0.1:1',
      DATABASE_POOL_SIZE: '2',
    });
    expect(config.jwt.secret).toBe(t.config.jwt.secret); // so the tokens of `t` are valid there
    const down = await createTestApp({
      environment: { ...t.environment, config, dispose: () => Promise.resolve() },
    });
    expect((await down.http.get('/healthz/ready')).status).toBe(503); // Redis really is down here
    try {
      const res = await down.http
        .get('/api/v1/feature-flags/evaluate')
        .set('Authorization', `Bearer ${other.tokens.accessToken}`)
        .set('X-Organization-Id', other.organization.id);
      expect(res.status).toBe(200);
      expect((res.body as { flags: Record<string, boolean> }).flags['beta.reports']).toBe(true);
    } finally {
      await down.close();
    }
  });
});
