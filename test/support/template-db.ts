import { createHash } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Client } from 'pg';
import { databaseUrl, TEST_ADMIN_DATABASE_URL } from './env';

const MIGRATIONS_DIR = join(__dirname, '../../src/database/migrations');
/** Seeders shape the template too, so their sources are part of its name. */
const SEED_SOURCES = [
  join(__dirname, '../../src/modules/access/permissions.registry.ts'),
  join(__dirname, '../../src/modules/access/access.seeder.ts'),
  join(__dirname, '../../src/modules/organization-types/organization-types.seeder.ts'),
];

/**
 * The template's name carries a hash of the migrations' and seeders' source, so a changed migration gets a
 * fresh template and an unchanged one is reused across runs (cloning takes ~100 ms).
 */
export function templateName(): string {
  const hash = createHash('sha256');
  for (const file of readdirSync(MIGRATIONS_DIR).sort()) {
    hash.update(file).update(readFileSync(join(MIGRATIONS_DIR, file)));
  }
  for (const file of SEED_SOURCES) hash.update(readFileSync(file));
  return `alees_tpl_${hash.digest('hex').slice(0, 12)}`;
}

export async function withAdminClient<T>(work: (client: Client) => Promise<T>): Promise<T> {
  const client = new Client({ connectionString: TEST_ADMIN_DATABASE_URL });
  await client.connect();
  try {
    return await work(client);
  } finally {
    await client.end();
  }
}

export async function databaseExists(client: Client, name: string): Promise<boolean> {
  const result = await client.query('SELECT 1 FROM pg_database WHERE datname = $1', [name]);
  return (result.rowCount ?? 0) > 0;
}

/** A new database for one test file, cloned from the migrated template. */
export async function createTestDatabase(
  prefix = 'alees_test',
): Promise<{ name: string; url: string }> {
  const name = `${prefix}_${process.pid}_${Math.random().toString(36).slice(2, 8)}`;
  await withAdminClient((client) =>
    client.query(`CREATE DATABASE "${name}" TEMPLATE "${templateName()}"`),
  );
  return { name, url: databaseUrl(name) };
}

/** An empty database (no migrations), for migration tests. */
export async function createEmptyDatabase(
  prefix = 'alees_empty',
): Promise<{ name: string; url: string }> {
  const name = `${prefix}_${process.pid}_${Math.random().toString(36).slice(2, 8)}`;
  await withAdminClient((client) => client.query(`CREATE DATABASE "${name}"`));
  return { name, url: databaseUrl(name) };
}

export async function dropDatabase(name: string): Promise<void> {
  await withAdminClient((client) => client.query(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`));
}
