import type { Test } from 'supertest';
import type { TestApp } from './test-app';
import {
  addMembership,
  createOrganization,
  createUser,
  OrganizationFixture,
  UserFixture,
} from '../factories/identity.factory';

export interface Tokens {
  accessToken: string;
  refreshToken: string;
  expiresIn: number;
}

export async function login(
  t: TestApp,
  email: string,
  password: string,
  extra: Record<string, string> = {},
): Promise<Tokens> {
  const res = await t.http.post('/api/v1/auth/login').send({ email, password, ...extra });
  if (res.status !== 200)
    throw new Error(`login failed: ${res.status} ${JSON.stringify(res.body)}`);
  return res.body as Tokens;
}

type Method = 'get' | 'post' | 'patch' | 'put' | 'delete';

/** A signed-in user acting for one organization: `client.get(url)` carries both headers. */
export interface Actor {
  user: UserFixture;
  organization: OrganizationFixture;
  tokens: Tokens;
  headers: Record<string, string>;
  request(method: Method, url: string): Test;
  get(url: string): Test;
  post(url: string): Test;
  patch(url: string): Test;
  put(url: string): Test;
  delete(url: string): Test;
}

export function actorFor(
  t: TestApp,
  user: UserFixture,
  organization: OrganizationFixture,
  tokens: Tokens,
): Actor {
  const headers = {
    Authorization: `Bearer ${tokens.accessToken}`,
    'X-Organization-Id': organization.id,
  };
  const request = (method: Method, url: string) => t.http[method](url).set(headers);
  return {
    user,
    organization,
    tokens,
    headers,
    request,
    get: (url) => request('get', url),
    post: (url) => request('post', url),
    patch: (url) => request('patch', url),
    put: (url) => request('put', url),
    delete: (url) => request('delete', url),
  };
}

/**
 * A new organization with one member holding `roles` (system role names, default Owner),
 * signed in. Two calls give two tenants that must never see each other.
 */
export async function createTenant(
  t: TestApp,
  options: { roles?: string[]; parent?: OrganizationFixture; appliesToDescendants?: boolean } = {},
): Promise<Actor> {
  const organization = await createOrganization(t.dataSource, { parent: options.parent });
  const user = await createUser(t.dataSource);
  await addMembership(t.dataSource, {
    userId: user.id,
    organizationId: organization.id,
    roles: options.roles ?? ['Owner'],
    appliesToDescendants: options.appliesToDescendants ?? true,
    isDefault: true,
  });
  return actorFor(t, user, organization, await login(t, user.email, user.password));
}

/** Another user in an existing organization, with the given roles. */
export async function addActor(
  t: TestApp,
  organization: OrganizationFixture,
  roles: string[],
): Promise<Actor> {
  const user = await createUser(t.dataSource);
  await addMembership(t.dataSource, {
    userId: user.id,
    organizationId: organization.id,
    roles,
    isDefault: true,
  });
  return actorFor(t, user, organization, await login(t, user.email, user.password));
}

/**
 * A signed-in superuser acting in `organization` (superusers need no membership: they hold every
 * permission in every organization). Platform routes (`POST /tenants`, `POST /users`, account
 * changes) are theirs only.
 */
export async function superuserIn(t: TestApp, organization: OrganizationFixture): Promise<Actor> {
  const user = await createUser(t.dataSource, { isSuperuser: true, fullName: 'Platform Admin' });
  return actorFor(t, user, organization, await login(t, user.email, user.password));
}
