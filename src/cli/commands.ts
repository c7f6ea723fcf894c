import { writeFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { DataSource } from 'typeorm';
import { PRINCIPALS_CACHE, publishLocalCacheInvalidation } from '../core/cache';
import { AppConfig } from '../core/config';
import { assertDatabaseReachable, buildDataSourceOptions, runSeeds } from '../core/database';
import { SEEDERS } from '../modules';
import { createSearchBackend, SEARCH_TYPES, SearchType } from '../modules/search';
import { createAdmin, resetAdminPassword } from '../modules/auth';
import { CURRENCIES_CACHE } from '../modules/currencies';
import { UNITS_CACHE } from '../modules/units-of-measure';
import { generateOpenApiDocument, serializeOpenApi } from '../openapi';
import { SCHEMA } from '../schema';
import { parseCommandArgs } from './parse-command-args';

export type Print = (line: string) => void;

export type Command = (config: AppConfig, args: string[], print: Print) => Promise<void>;

async function withDataSource<T>(
  config: AppConfig,
  work: (ds: DataSource) => Promise<T>,
): Promise<T> {
  await assertDatabaseReachable(config.database.url);
  const dataSource = new DataSource({
    ...buildDataSourceOptions(config, SCHEMA),
    logging: ['error'],
  });
  await dataSource.initialize();
  try {
    return await work(dataSource);
  } finally {
    await dataSource.destroy();
  }
}

export const COMMANDS: Record<string, { help: string; run: Command }> = {
  migrate: {
    help: 'apply pending migrations',
    run: (config, _args, print) =>
      withDataSource(config, async (ds) => {
        const applied = await ds.runMigrations({ transaction: 'each' });
        print(
          applied.length
            ? applied.map((m) => `migrated: ${m.name}`).join('\n')
            : 'migrate: up to date',
        );
      }),
  },
  'migrate:revert': {
    help: 'revert the last migration (--all: every migration)',
    run: (config, args, print) =>
      withDataSource(config, async (ds) => {
        const values = parseCommandArgs(args, { all: { type: 'boolean' } });
        do {
          const before = await ds.query<{ n: number }[]>(
            `SELECT count(*)::int AS n FROM schema_migrations`,
          );
          if (before[0].n === 0) break;
          await ds.undoLastMigration({ transaction: 'each' });
          print(`reverted: ${before[0].n} → ${before[0].n - 1} migrations applied`);
        } while (values.all);
      }),
  },
  seed: {
    help: 'insert reference data (idempotent)',
    run: (config, _args, print) =>
      withDataSource(config, async (ds) => {
        const lines = await runSeeds(ds, config, SEEDERS);
        // Running instances keep "is this currency / unit active?" in memory: new rows, drop it.
        for (const namespace of [CURRENCIES_CACHE, UNITS_CACHE])
          await publishLocalCacheInvalidation(config.redis, namespace);
        print(lines.length ? lines.join('\n') : 'seed: nothing to seed');
      }),
  },
  'create-admin': {
    help: 'create or reset a superuser (--email E --password P [--if-missing: leave an existing one alone])',
    run: (config, args, print) =>
      withDataSource(config, async (ds) => {
        const values = parseCommandArgs(args, {
          email: { type: 'string' },
          password: { type: 'string' },
          'if-missing': { type: 'boolean' },
        });
        if (!values.email || !values.password)
          throw new Error('create-admin needs --email and --password');
        const result = await createAdmin(ds, values.email, values.password, {
          ifMissing: values['if-missing'],
        });
        // Running API instances keep callers in memory: the account changed, drop them now.
        if (!result.skipped) await publishLocalCacheInvalidation(config.redis, PRINCIPALS_CACHE);
        const verb = result.created ? 'created' : result.skipped ? 'exists' : 'reset';
        print(
          `create-admin: ${verb} ${values.email}` +
            (result.organizationId
              ? ` (owner of new root organization ${result.organizationId})`
              : ''),
        );
      }),
  },
  'reset-admin-password': {
    help: 'new password for a superuser, ends its sessions (--email E, default the only superuser; --password P, default generated)',
    run: (config, args, print) =>
      withDataSource(config, async (ds) => {
        const values = parseCommandArgs(args, {
          email: { type: 'string' },
          password: { type: 'string' },
        });
        const result = await resetAdminPassword(ds, values);
        await publishLocalCacheInvalidation(config.redis, PRINCIPALS_CACHE);
        print(
          `reset-admin-password: ${result.email} / ${values.password ? '(the given password)' : result.password}` +
            ` (${result.revokedSessions} session(s) ended)`,
        );
      }),
  },
  reindex: {
    help: 'rebuild the search index beside the live one and swap it in (--type products|contacts)',
    run: (config, args, print) =>
      withDataSource(config, async (ds) => {
        const values = parseCommandArgs(args, { type: { type: 'string' } });
        if (values.type && !(SEARCH_TYPES as readonly string[]).includes(values.type)) {
          throw new Error(`reindex --type must be one of: ${SEARCH_TYPES.join(', ')}`);
        }
        const types = values.type ? [values.type as SearchType] : [...SEARCH_TYPES];
        const backend = createSearchBackend(config, ds);
        for (const type of types) {
          const started = Date.now();
          const count = await backend.reindex(type);
          print(`reindex: ${type} ${count} rows on ${backend.name} in ${Date.now() - started} ms`);
        }
      }),
  },
  openapi: {
    help: 'write openapi.json (--out PATH)',
    run: async (config, args, print) => {
      const values = parseCommandArgs(args, { out: { type: 'string' } });
      const out = resolve(values.out ?? 'openapi.json');
      writeFileSync(out, serializeOpenApi(await generateOpenApiDocument(config)));
      print(`openapi: wrote ${out}`);
    },
  },
};

/** Registers a command contributed by a module (e.g. `create-admin` from users). */
export function registerCommand(name: string, help: string, run: Command): void {
  COMMANDS[name] = { help, run };
}

/** Runs one CLI command; `false` when there is no such command. */
export async function runCommand(
  name: string,
  args: string[],
  config: AppConfig,
  print: Print,
): Promise<boolean> {
  const command = COMMANDS[name];
  if (!command) return false;
  await command.run(config, args, print);
  return true;
}

export function usage(): string {
  const lines = Object.entries(COMMANDS).map(([n, c]) => `  ${n.padEnd(16)} ${c.help}`);
  return `usage: npm run cli -- <command>\n${lines.join('\n')}\n`;
}
