import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { DataSource } from 'typeorm';
import { runCommand } from '../../src/cli/commands';
import { loadConfig } from '../../src/core/config';
import { buildDataSourceOptions } from '../../src/core/database';
import { SCHEMA } from '../../src/schema';
import { generateOpenApiDocument, serializeOpenApi } from '../../src/openapi';
import { createEmptyDatabase, dropDatabase } from '../support/template-db';
import { Actor, createTenant } from '../support/auth';
import { createTestApp, TestApp } from '../support/test-app';

interface Envelope {
  errors: { status: string; code: string; meta?: Record<string, unknown> }[];
}

describe('operations: health, metrics, docs, queue', () => {
  let t: TestApp;
  let owner: Actor;

  beforeAll(async () => {
    t = await createTestApp();
    owner = await createTenant(t);
  });
  afterAll(async () => t.close());

  it('GET /healthz/live → {"status":"alive"}', async () => {
    const res = await t.http.get('/healthz/live').expect(200);
    expect(res.body).toEqual({ status: 'alive' });
  });

  it('GET /healthz/ready → 200 with db and redis up', async () => {
    const res = await t.http.get('/healthz/ready').expect(200);
    expect(res.body).toEqual({ status: 'ok', checks: { db: 'up', redis: 'up' } });
  });

  it('GET /metrics → Prometheus text with durations labelled by route template', async () => {
    await owner.get('/api/v1/system/ping/12345').expect(404);
    const res = await t.http.get('/metrics').expect(200);
    expect(res.headers['content-type']).toMatch(/^text\/plain/);
    expect(res.text).toContain('# TYPE http_request_duration_seconds histogram');
    expect(res.text).toMatch(
      /http_request_duration_seconds_count\{method="GET",route="\/api\/v1\/system\/ping\/:taskId",status_code="404"\} 1/,
    );
    expect(res.text).not.toContain('route="/api/v1/system/ping/12345"');
    expect(res.text).toMatch(/db_pool_connections\{state="total"\} \d+/);
    expect(res.text).toMatch(/queue_jobs\{queue="system",state="waiting"\} \d+/);
  });

  it('GET /docs serves Swagger UI and /docs-json a valid OpenAPI 3 document', async () => {
    const ui = await t.http.get('/docs').redirects(1).expect(200);
    expect(ui.text).toContain('swagger-ui');
    const res = await t.http.get('/docs-json').expect(200);
    const doc = res.body as {
      openapi: string;
      components: { securitySchemes: Record<string, unknown>; schemas: Record<string, unknown> };
      paths: Record<string, unknown>;
    };
    expect(doc.openapi).toMatch(/^3\./);
    expect(Object.keys(doc.components.securitySchemes).sort()).toEqual(['api-key', 'bearer']);
    expect(doc.components.schemas.ErrorEnvelopeDto).toBeDefined();
    expect(doc.paths['/api/v1/system/ping']).toBeDefined();
  });

  it('the ping job is enqueued by the API and processed by a real worker', async () => {
    await t.startWorker();
    await t.http.post('/api/v1/system/ping').expect(401);
    const accepted = await owner.post('/api/v1/system/ping').expect(202);
    const { taskId } = accepted.body as { taskId: string };
    let state: { state: string; result?: { pong: boolean; processedBy: string } } = {
      state: 'queued',
    };
    for (let i = 0; i < 100 && state.state !== 'completed'; i++) {
      await new Promise((resolve) => setTimeout(resolve, 50));
      state = (await owner.get(`/api/v1/system/ping/${taskId}`).expect(200)).body as typeof state;
    }
    expect(state).toMatchObject({
      state: 'completed',
      result: { pong: true, processedBy: 'worker' },
    });
    // Job ids are a global sequence: another organization's owner must not read this job.
    const stranger = await createTenant(t);
    const foreign = await stranger.get(`/api/v1/system/ping/${taskId}`).expect(404);
    expect((foreign.body as Envelope).errors[0].code).toBe('not_found');
  });
});

describe('readiness when Redis is unreachable', () => {
  let t: TestApp;
  let owner: Actor;

  beforeAll(async () => {
    // Nothing listens on port 1: every Redis command fails fast.
    t = await createTestApp({ env: { REDIS_URL: 'redis://127.0.0.1:1' } });
    owner = await createTenant(t);
  });
  afterAll(async () => t.close());

  it('ready → 503 envelope saying redis is down, db up; live and db-only routes still answer', async () => {
    const res = await t.http.get('/healthz/ready').expect(503);
    const error = (res.body as Envelope).errors[0];
    expect(error).toMatchObject({ status: '503', code: 'service_unavailable' });
    expect(error.meta).toEqual({ checks: { db: 'up', redis: 'down' } });
    await t.http.get('/healthz/live').expect(200);
    await t.http.get('/docs-json').expect(200);
  });

  it('authenticated routes still work (permissions fall back to the database)', async () => {
    await owner.get('/api/v1/auth/me').expect(200);
  });

  it('enqueueing answers 503 in the envelope instead of hanging', async () => {
    const res = await owner.post('/api/v1/system/ping').expect(503);
    expect((res.body as Envelope).errors[0].code).toBe('service_unavailable');
  });
});

describe('CLI, migrations and the committed OpenAPI document', () => {
  it('migrate, revert to zero and migrate again; the seed is idempotent; entities match migrations', async () => {
    const database = await createEmptyDatabase();
    const config = loadConfig({ ENVIRONMENT: 'test', DATABASE_URL: database.url });
    const output: string[] = [];
    const print = (line: string) => output.push(line);
    try {
      await runCommand('migrate', [], config, print);
      await runCommand('migrate:revert', ['--all'], config, print);
      const dataSource = new DataSource(buildDataSourceOptions(config, SCHEMA));
      await dataSource.initialize();
      const tables = await dataSource.query<unknown[]>(
        `SELECT table_name FROM information_schema.tables WHERE table_schema = 'public' AND table_name NOT IN ('schema_migrations', 'typeorm_metadata')`,
      );
      expect(tables).toEqual([]);
      await dataSource.destroy();

      await runCommand('migrate', [], config, print);
      await runCommand('migrate', [], config, print);
      expect(output).toContain('migrate: up to date');
      await runCommand('seed', [], config, print);
      await runCommand('seed', [], config, print);

      // Drift: the schema TypeORM would build from the entities equals what the migrations built.
      const check = new DataSource(buildDataSourceOptions(config, SCHEMA));
      await check.initialize();
      const pending = await check.driver.createSchemaBuilder().log();
      await check.destroy();
      // Foreign keys live in the migrations only (entities of different modules hold no TypeORM
      // relations to each other, STYLE.md), so the schema builder would drop them: not drift.
      const drift = pending.upQueries
        .map((q) => q.query)
        .filter((query) => !/DROP CONSTRAINT "fk_/.test(query));
      expect(drift).toEqual([]);
    } finally {
      await dropDatabase(database.name);
    }
  });

  it('openapi.json is current (run `npm run cli -- openapi` after changing routes)', async () => {
    const config = loadConfig({
      ENVIRONMENT: 'test',
      DATABASE_URL: 'postgres://unused@127.0.0.1/unused',
    });
    const generated = serializeOpenApi(await generateOpenApiDocument(config));
    const committed = readFileSync(join(__dirname, '../../openapi.json'), 'utf8');
    expect(committed).toBe(generated);
  });

  it('create-admin creates a superuser with a root organization, then resets it idempotently', async () => {
    const t = await createTestApp();
    try {
      const lines: string[] = [];
      await runCommand(
        'create-admin',
        ['--email', 'Root@Example.test', '--password', 'first-password-1'],
        t.config,
        (l) => lines.push(l),
      );
      await runCommand(
        'create-admin',
        ['--email', 'root@example.test', '--password', 'second-password-2'],
        t.config,
        (l) => lines.push(l),
      );
      expect(lines[0]).toMatch(
        /^create-admin: created Root@Example.test \(owner of new root organization [0-9a-f-]{36}\)$/,
      );
      expect(lines[1]).toBe('create-admin: reset root@example.test');
      const users = await t.dataSource.query<{ is_superuser: boolean }[]>(
        `SELECT is_superuser FROM users WHERE lower(email) = 'root@example.test'`,
      );
      expect(users).toEqual([{ is_superuser: true }]);
      await t.http
        .post('/api/v1/auth/login')
        .send({ email: 'root@example.test', password: 'first-password-1' })
        .expect(401);
      const login = await t.http
        .post('/api/v1/auth/login')
        .send({ email: 'root@example.test', password: 'second-password-2' })
        .expect(200);
      const me = await t.http
        .get('/api/v1/auth/me')
        .set('Authorization', `Bearer ${(login.body as { accessToken: string }).accessToken}`)
        .expect(200);
      expect(me.body).toMatchObject({
        isSuperuser: true,
        memberships: [{ roles: ['Owner'], isDefault: true }],
      });
      await expect(
        runCommand(
          'create-admin',
          ['--email', 'x@example.test', '--password', 'short'],
          t.config,
          () => undefined,
        ),
      ).rejects.toThrow(/at least 12/);
    } finally {
      await t.close();
    }
  });

  it('unknown commands are refused', async () => {
    const config = loadConfig({
      ENVIRONMENT: 'test',
      DATABASE_URL: 'postgres://unused@127.0.0.1/unused',
    });
    expect(await runCommand('nope', [], config, () => undefined)).toBe(false);
  });
});
