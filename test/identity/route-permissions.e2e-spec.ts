import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { RequestMethod } from '@nestjs/common';
import { METHOD_METADATA, PATH_METADATA } from '@nestjs/common/constants';
import { ModulesContainer } from '@nestjs/core';
import { IS_PUBLIC_KEY, PERMISSIONS_KEY } from '../../src/core/auth';
import { createTenant } from '../support/auth';
import { createTestApp, TestApp } from '../support/test-app';

const SNAPSHOT = join(__dirname, 'route-permissions.snapshot.json');

/** Every route of the real app: `METHOD /path` → `public` | required permissions (or undeclared). */
function walkRoutes(t: TestApp): Record<string, string> {
  const routes: Record<string, string> = {};
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
        const method = RequestMethod[Reflect.getMetadata(METHOD_METADATA, handler) as number];
        const key = `${method} /${[base, path].filter((p) => p && p !== '/').join('/')}`;
        const isPublic =
          (Reflect.getMetadata(IS_PUBLIC_KEY, handler) ??
            Reflect.getMetadata(IS_PUBLIC_KEY, controller)) === true;
        const permissions = (Reflect.getMetadata(PERMISSIONS_KEY, handler) ??
          Reflect.getMetadata(PERMISSIONS_KEY, controller)) as string[] | undefined;
        routes[key] = isPublic
          ? 'public'
          : permissions === undefined
            ? 'UNDECLARED'
            : permissions.length === 0
              ? 'authenticated'
              : permissions.join(' + ');
      }
    }
  }
  return Object.fromEntries(Object.entries(routes).sort(([a], [b]) => a.localeCompare(b)));
}

describe('deny by default', () => {
  let t: TestApp;

  beforeAll(async () => {
    t = await createTestApp();
  });
  afterAll(async () => t.close());

  it('every registered route declares @Public() or @RequirePermissions()', () => {
    const routes = walkRoutes(t);
    expect(Object.keys(routes).length).toBeGreaterThan(10);
    expect(Object.entries(routes).filter(([, access]) => access === 'UNDECLARED')).toEqual([]);
  });

  it('matches the committed route → permission snapshot (a diff shows who can now reach what)', () => {
    const routes = walkRoutes(t);
    // UPDATE_ROUTE_SNAPSHOT=1 rewrites it; the diff is then reviewed like code.
    if (process.env.UPDATE_ROUTE_SNAPSHOT === '1' || !existsSync(SNAPSHOT)) {
      writeFileSync(SNAPSHOT, `${JSON.stringify(routes, null, 2)}\n`);
    }
    expect(routes).toEqual(JSON.parse(readFileSync(SNAPSHOT, 'utf8')));
  });

  it('a signed-in caller without the permission gets 403 naming it', async () => {
    const viewer = await createTenant(t, { roles: ['Viewer'] });
    const res = await viewer.get('/api/v1/permissions').expect(403);
    expect(
      (res.body as { errors: { meta: { missing: string[] } }[] }).errors[0].meta.missing,
    ).toEqual(['roles:read']);
    await viewer.post('/api/v1/system/ping').expect(403);
    const member = await createTenant(t, { roles: ['Member'] });
    const list = (await member.get('/api/v1/permissions').expect(200)).body as { code: string }[];
    expect(list.map((p) => p.code)).toContain('users:read');
  });

  it('a protected route without credentials is 401 in the envelope, not 404 or 200', async () => {
    const res = await t.http.get('/api/v1/permissions').expect(401);
    expect((res.body as { errors: { code: string }[] }).errors[0].code).toBe('unauthorized');
  });
});
