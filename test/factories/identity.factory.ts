import { randomUUID } from 'node:crypto';
import type { DataSource } from 'typeorm';
import { v7 as uuidv7 } from 'uuid';
import * as argon2 from 'argon2';

/**
 * Builders for identity rows. Users get a real argon2id hash (the login path is real: the API's
 * `PasswordHasher.verify` checks it); organization paths follow the tree rules the organizations
 * service enforces.
 */

/**
 * The cost of fixture users' hashes: argon2id at 1 MiB and one pass instead of the product's
 * 19 MiB and two (`PasswordHasher`). argon2 verifies with the parameters stored in the hash, so
 * each login of a fixture user costs ~2 ms instead of ~110 ms (busy 2-core machine, 2026-12-01;
 * e2e files log in ~10 times each). Hashes the product makes itself (sign-up, invitations,
 * password changes) keep its own parameters; nothing here reaches production.
 */
const FIXTURE_HASH_OPTIONS = {
  type: argon2.argon2id as 2,
  memoryCost: 1024,
  timeCost: 1,
  parallelism: 1,
};
const hashes = new Map<string, Promise<string>>();
const hashOf = (password: string): Promise<string> => {
  if (!hashes.has(password)) hashes.set(password, argon2.hash(password, FIXTURE_HASH_OPTIONS));
  return hashes.get(password) as Promise<string>;
};

export const DEFAULT_PASSWORD = 'correct-horse-battery-staple';

export interface UserFixture {
  id: string;
  email: string;
  password: string;
}

export async function createUser(
  ds: DataSource,
  overrides: {
    email?: string;
    password?: string;
    isSuperuser?: boolean;
    isActive?: boolean;
    fullName?: string;
  } = {},
): Promise<UserFixture> {
  const id = uuidv7();
  const email = overrides.email ?? `user-${randomUUID().slice(0, 8)}@example.test`;
  const password = overrides.password ?? DEFAULT_PASSWORD;
  await ds.query(
    `INSERT INTO users (id, email, password_hash, full_name, is_superuser, is_active) VALUES ($1, $2, $3, $4, $5, $6)`,
    [
      id,
      email,
      await hashOf(password),
      overrides.fullName ?? 'Test User',
      overrides.isSuperuser ?? false,
      overrides.isActive ?? true,
    ],
  );
  return { id, email, password };
}

export interface OrganizationFixture {
  id: string;
  code: string;
  path: string;
}

export async function createOrganization(
  ds: DataSource,
  overrides: { code?: string; name?: string; parent?: OrganizationFixture; typeCode?: string } = {},
): Promise<OrganizationFixture> {
  const id = uuidv7();
  const code = overrides.code ?? `ORG-${randomUUID().slice(0, 8).toUpperCase()}`;
  const path = `${overrides.parent?.path ?? '/'}${id}/`;
  await ds.query(
    `INSERT INTO organizations (id, code, name, type_code, parent_id, path, depth) VALUES ($1, $2, $3, $4, $5, $6, $7)`,
    [
      id,
      code,
      overrides.name ?? `Org ${code}`,
      overrides.typeCode ?? 'company',
      overrides.parent?.id ?? null,
      path,
      path.split('/').length - 3,
    ],
  );
  return { id, code, path };
}

export async function addMembership(
  ds: DataSource,
  input: {
    userId: string;
    organizationId: string;
    roles?: string[];
    appliesToDescendants?: boolean;
    isDefault?: boolean;
  },
): Promise<string> {
  const id = uuidv7();
  await ds.query(
    `INSERT INTO memberships (id, organization_id, user_id, applies_to_descendants, is_default) VALUES ($1, $2, $3, $4, $5)`,
    [
      id,
      input.organizationId,
      input.userId,
      input.appliesToDescendants ?? false,
      input.isDefault ?? false,
    ],
  );
  for (const role of input.roles ?? []) {
    const inserted = await ds.query<unknown[]>(
      `INSERT INTO membership_roles (membership_id, role_id)
       SELECT $1, id FROM roles WHERE lower(name) = lower($2) AND (organization_id IS NULL OR organization_id = $3)
       RETURNING role_id`,
      [id, role, input.organizationId],
    );
    if (inserted.length !== 1)
      throw new Error(`role ${role} not found for organization ${input.organizationId}`);
  }
  return id;
}
