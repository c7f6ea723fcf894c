import { EntityManager, QueryFailedError } from 'typeorm';
import {
  afterCommit,
  atCommit,
  SystemAccessReason,
  TenantContextMissingError,
  TenantDatabase,
  queryTogether,
  TransactionAbortedError,
  withSavepoint,
} from '../../src/core/tenancy';
import { addMembership, createOrganization, createUser } from '../factories/identity.factory';
import { actAsTenant } from '../../src/modules/imports';
import { createTestApp, TestApp } from '../support/test-app';

/** `TenantDatabase` (core/tenancy) on a real database: the tenant wall and the named way around it. */
describe('TenantDatabase', () => {
  let t: TestApp;
  let db: TenantDatabase;
  let orgA: string;
  let orgB: string;

  beforeAll(async () => {
    t = await createTestApp();
    db = t.app.get(TenantDatabase); // injectable from the app, as any module provider gets it
    [orgA, orgB] = [
      (await createOrganization(t.dataSource)).id,
      (await createOrganization(t.dataSource)).id,
    ];
    for (const org of [orgA, orgA, orgB]) {
      const user = await createUser(t.dataSource);
      await addMembership(t.dataSource, {
        userId: user.id,
        organizationId: org,
        roles: ['Member'],
      });
    }
  });
  afterAll(async () => t.close());

  const note = (organizationId: string, userId: string) => ({
    sql: 'INSERT INTO memberships (organization_id, user_id) VALUES ($1, $2)',
    params: [organizationId, userId],
  });
  const memberships = async (userId: string) =>
    (
      await t.dataSource.query<{ organization_id: string }[]>(
        'SELECT organization_id FROM memberships WHERE user_id = $1 ORDER BY organization_id',
        [userId],
      )
    ).map((r) => r.organization_id);

  it('run() sees only its organization’s rows of an RLS table, even with no WHERE clause', async () => {
    const rows = await db.run(orgA, (manager) =>
      manager.query<{ organization_id: string }[]>('SELECT organization_id FROM memberships'),
    );
    expect(rows).toHaveLength(2);
    expect(new Set(rows.map((r) => r.organization_id))).toEqual(new Set([orgA]));
  });

  it('runAsSystem() sees every organization’s rows', async () => {
    const rows = await db.runAsSystem('access', (manager) =>
      manager.query<{ organization_id: string }[]>(
        'SELECT organization_id FROM memberships WHERE organization_id = ANY($1::uuid[])',
        [[orgA, orgB]],
      ),
    );
    expect(rows).toHaveLength(3);
    expect(new Set(rows.map((r) => r.organization_id))).toEqual(new Set([orgA, orgB]));
  });

  it('run() fails closed without a real organization id, before touching the database', async () => {
    const work = jest.fn(() => Promise.resolve('ran'));
    await expect(db.run(undefined, work)).rejects.toThrow(TenantContextMissingError);
    await expect(db.run('not-a-uuid', work)).rejects.toThrow(TenantContextMissingError);
    expect(work).not.toHaveBeenCalled();
  });

  it('runAsSystem() refuses a reason outside the closed list', async () => {
    const work = jest.fn(() => Promise.resolve('ran'));
    await expect(db.runAsSystem('because' as SystemAccessReason, work)).rejects.toThrow(
      /Not a system access reason/,
    );
    expect(work).not.toHaveBeenCalled();
  });

  it('both roll back when the work throws, and the error propagates unchanged', async () => {
    const failure = new Error('work failed');
    const user = await createUser(t.dataSource);
    const insert = (organizationId: string) => async (manager: EntityManager) => {
      await manager.query('INSERT INTO memberships (organization_id, user_id) VALUES ($1, $2)', [
        organizationId,
        user.id,
      ]);
      throw failure;
    };
    await expect(db.run(orgA, insert(orgA))).rejects.toBe(failure);
    await expect(db.runAsSystem('access', insert(orgB))).rejects.toBe(failure);
    const [{ n }] = await t.dataSource.query<{ n: number }[]>(
      'SELECT count(*)::int AS n FROM memberships WHERE user_id = $1',
      [user.id],
    );
    expect(n).toBe(0);
  });

  it('a statement error swallowed inside the work fails the call instead of a COMMIT that rolls back', async () => {
    // PostgreSQL answers COMMIT of an aborted transaction with the tag ROLLBACK, not an error:
    // without the check, run() resolved and the caller reported success for nothing written.
    const user = await createUser(t.dataSource);
    const hook = jest.fn();
    const swallow = (organizationId: string) => async (manager: EntityManager) => {
      await manager.query('INSERT INTO memberships (organization_id, user_id) VALUES ($1, $2)', [
        organizationId,
        user.id,
      ]);
      afterCommit(manager, hook);
      await manager.query('SELECT 1 / 0').catch(() => undefined); // a careless catch
      return 'done';
    };
    await expect(db.run(orgA, swallow(orgA))).rejects.toBeInstanceOf(TransactionAbortedError);
    await expect(db.runAsSystem('access', swallow(orgB))).rejects.toBeInstanceOf(
      TransactionAbortedError,
    );
    const [{ n }] = await t.dataSource.query<{ n: number }[]>(
      'SELECT count(*)::int AS n FROM memberships WHERE user_id = $1',
      [user.id],
    );
    expect(n).toBe(0);
    expect(hook).not.toHaveBeenCalled();
    // The connections went back to the pool usable (rolled back, not left in the failed block).
    const rows = await db.run(orgA, (manager) => manager.query<unknown[]>('SELECT 1 AS one'));
    expect(rows).toEqual([{ one: 1 }]);
  });

  it('an error caught through a savepoint still commits the rest (no false alarm)', async () => {
    const user = await createUser(t.dataSource);
    const work = (organizationId: string) => async (manager: EntityManager) => {
      await manager.query('INSERT INTO memberships (organization_id, user_id) VALUES ($1, $2)', [
        organizationId,
        user.id,
      ]);
      await manager.query('SAVEPOINT careful');
      await manager
        .query('SELECT 1 / 0')
        .catch(() => manager.query('ROLLBACK TO SAVEPOINT careful'));
      return 'done';
    };
    await expect(db.run(orgA, work(orgA))).resolves.toBe('done');
    await expect(db.runAsSystem('access', work(orgB))).resolves.toBe('done');
    const [{ n }] = await t.dataSource.query<{ n: number }[]>(
      'SELECT count(*)::int AS n FROM memberships WHERE user_id = $1',
      [user.id],
    );
    expect(n).toBe(2);
  });

  it('a failure at COMMIT (a deferred constraint) still rejects as a query error', async () => {
    const hook = jest.fn();
    const work = async (manager: EntityManager) => {
      await manager.query(
        'CREATE TEMP TABLE deferred_probe (id int UNIQUE DEFERRABLE INITIALLY DEFERRED) ON COMMIT DROP',
      );
      await manager.query('INSERT INTO deferred_probe VALUES (1), (1)'); // checked at COMMIT
      afterCommit(manager, hook);
      return 'done';
    };
    for (const call of [() => db.runAsSystem('access', work), () => db.run(orgA, work)]) {
      const error = await call().catch((e: unknown) => e);
      expect(error).toBeInstanceOf(QueryFailedError);
      expect((error as QueryFailedError & { driverError: { code: string } }).driverError.code).toBe(
        '23505',
      );
    }
    expect(hook).not.toHaveBeenCalled();
  });

  describe('statements deferred to COMMIT (atCommit)', () => {
    it('are written with the commit, after the work, in both helpers', async () => {
      const user = await createUser(t.dataSource);
      const seenInside = await db.run(orgA, async (manager) => {
        expect(atCommit(manager, note(orgA, user.id))).toBe(true);
        return manager.query<unknown[]>('SELECT 1 FROM memberships WHERE user_id = $1', [user.id]);
      });
      expect(seenInside).toEqual([]); // deferred: not written while the work ran
      await db.runAsSystem('access', (manager) =>
        Promise.resolve(atCommit(manager, note(orgB, user.id))),
      );
      expect(await memberships(user.id)).toEqual([orgA, orgB].sort());
    });

    it('outside those helpers atCommit defers nothing (the caller runs the statement)', async () => {
      await expect(
        t.dataSource.transaction((manager) => Promise.resolve(atCommit(manager, note(orgA, orgA)))),
      ).resolves.toBe(false);
    });

    it('inline their parameters as data: quotes, backslashes and look-alike Unicode survive', async () => {
      const user = await createUser(t.dataSource);
      const tricky = `it's \\ a "test"; DROP TABLE users; -- ае \u2028 $1 $$`;
      await db.runAsSystem('access', (manager) =>
        Promise.resolve(
          atCommit(manager, {
            sql: `UPDATE users SET full_name = $1 WHERE id = $2`,
            params: [tricky, user.id],
          }),
        ),
      );
      const [row] = await t.dataSource.query<{ full_name: string }[]>(
        'SELECT full_name FROM users WHERE id = $1',
        [user.id],
      );
      expect(row.full_name).toBe(tricky);
    });

    it('a failing deferred statement fails the call: nothing committed, no after-commit hook', async () => {
      const user = await createUser(t.dataSource);
      const hook = jest.fn();
      const error = await db
        .run(orgA, async (manager) => {
          await manager.query(
            'INSERT INTO memberships (organization_id, user_id) VALUES ($1, $2)',
            [orgA, user.id],
          );
          atCommit(manager, note(orgA, user.id)); // the same membership again: unique violation
          afterCommit(manager, hook);
        })
        .catch((e: unknown) => e);
      expect(error).toBeInstanceOf(QueryFailedError);
      expect((error as QueryFailedError & { driverError: { code: string } }).driverError.code).toBe(
        '23505',
      );
      expect(await memberships(user.id)).toEqual([]);
      expect(hook).not.toHaveBeenCalled();
    });

    it('a savepoint rolled back drops what was deferred inside it, as it drops its writes', async () => {
      const user = await createUser(t.dataSource);
      await db.runAsSystem('access', async (manager) => {
        atCommit(manager, note(orgA, user.id));
        await expect(
          withSavepoint(manager, 'probe', () => {
            atCommit(manager, note(orgB, user.id));
            return Promise.reject(new Error('refused'));
          }),
        ).rejects.toThrow('refused');
        // rolled back on the answer too (a no-op), and released when kept
        await withSavepoint(
          manager,
          'noop',
          () => Promise.resolve(atCommit(manager, note(orgB, user.id))),
          () => true,
        );
        const kept = await withSavepoint(manager, 'kept', () => Promise.resolve('kept'));
        expect(kept).toBe('kept');
      });
      expect(await memberships(user.id)).toEqual([orgA]);
    });
  });

  describe('review fixes: what the deferred statements and inlined values must not do', () => {
    it('a NUL byte in an inlined value is refused as PostgreSQL refuses it bound (22021), not as a broken message', async () => {
      const user = await createUser(t.dataSource);
      const nul = 'a\u0000b';
      for (const call of [
        // deferred to COMMIT
        () =>
          db.runAsSystem('access', (manager) =>
            Promise.resolve(
              atCommit(manager, {
                sql: 'UPDATE users SET full_name = $1 WHERE id = $2',
                params: [nul, user.id],
              }),
            ),
          ),
        // sent together
        () =>
          db.run(orgA, (manager) =>
            queryTogether(manager, [
              { sql: 'SELECT $1::text AS v', params: [nul], decode: (rows: unknown[]) => rows },
            ] as const),
          ),
        // the read path
        () => db.read(orgA, (manager) => manager.query('SELECT $1::text AS v', [nul])),
      ]) {
        const error = await call().catch((e: unknown) => e);
        expect(error).toBeInstanceOf(QueryFailedError);
        expect(
          (error as QueryFailedError & { driverError: { code: string } }).driverError.code,
        ).toBe('22021');
      }
      const [row] = await t.dataSource.query<{ full_name: string }[]>(
        'SELECT full_name FROM users WHERE id = $1',
        [user.id],
      );
      expect(row.full_name).not.toContain('\u0000');
    });

    it('switching to a tenant after deferring a statement is refused (it would run as the tenant)', async () => {
      const user = await createUser(t.dataSource);
      const error = await db
        .runAsSystem('access', async (manager) => {
          atCommit(manager, note(orgA, user.id));
          await actAsTenant(manager, orgA);
        })
        .catch((e: unknown) => e);
      expect(String(error)).toMatch(/actAsTenant after atCommit deferred 1 statement/);
      expect(await memberships(user.id)).toEqual([]);
    });

    it('a swallowed error with a statement deferred still reports TransactionAbortedError', async () => {
      const user = await createUser(t.dataSource);
      const error = await db
        .run(orgA, async (manager) => {
          atCommit(manager, note(orgA, user.id));
          await manager.query('SELECT 1 / 0').catch(() => undefined);
        })
        .catch((e: unknown) => e);
      expect(error).toBeInstanceOf(TransactionAbortedError);
      expect(await memberships(user.id)).toEqual([]);
    });
  });

  describe("queryTogether: several owners' statements in one round trip", () => {
    const count = (sql: string, params: unknown[]) => ({
      sql,
      params,
      decode: (rows: unknown[]) => (rows as { n: number }[])[0].n,
    });

    it("runs them in order in the caller's transaction (RLS applies) and decodes each", async () => {
      const [mine, echoed] = await db.run(orgA, (manager) =>
        queryTogether(manager, [
          count('SELECT count(*)::int AS n FROM memberships WHERE organization_id <> $1', [orgA]),
          count(`SELECT length($1)::int AS n`, ["it's \\ $1 -- not a comment"]),
        ] as const),
      );
      expect(mine).toBe(0); // the other organization's rows are invisible here
      expect(echoed).toBe("it's \\ $1 -- not a comment".length);
    });

    it('the first decode error wins; a failing statement throws QueryFailedError', async () => {
      const refuse = {
        sql: 'SELECT 1',
        params: [],
        decode: () => {
          throw new Error('first refuses');
        },
      };
      await expect(
        db.run(orgA, (manager) =>
          queryTogether(manager, [refuse, count('SELECT 2 AS n', [])] as const),
        ),
      ).rejects.toThrow('first refuses');
      await expect(
        db.run(orgA, (manager) =>
          queryTogether(manager, [
            count('SELECT 1 / 0 AS n', []),
            count('SELECT 2 AS n', []),
          ] as const),
        ),
      ).rejects.toBeInstanceOf(QueryFailedError);
    });
  });
});
