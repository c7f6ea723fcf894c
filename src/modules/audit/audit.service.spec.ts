import { EntityManager } from 'typeorm';
import { Clock } from '../../core/clock';
import { PreconditionFailedError } from '../../core/http';
import type { TenantDatabase } from '../../core/tenancy';
import { AuditService } from './audit.service';

interface Row {
  id: string;
  version: number;
  name: string;
}

/** A manager inside an open transaction that remembers every statement and answers none. */
function fakeManager(): { manager: EntityManager; statements: string[]; params: unknown[][] } {
  const statements: string[] = [];
  const params: unknown[][] = [];
  const manager = {
    queryRunner: { isTransactionActive: true },
    query: (sql: string, values: unknown[] = []) => {
      statements.push(sql.trim().split(/\s+/).slice(0, 3).join(' '));
      params.push(values);
      return Promise.resolve([]);
    },
  } as unknown as EntityManager;
  return { manager, statements, params };
}

const context = { actorUserId: 'u1', actorApiKeyId: null, requestId: 'r1', ip: null };
const entry = { organizationId: 'org', entityType: 'thing', entityId: 't1', context };
const service = () => new AuditService({} as TenantDatabase, new Clock());
/** `changes` of the audit INSERT, parsed (the 10th parameter). */
const auditedChanges = (params: unknown[][], statements: string[]) =>
  JSON.parse(params[statements.indexOf('INSERT INTO audit_logs')][9] as string) as unknown;
const auditedAction = (params: unknown[][], statements: string[]) =>
  params[statements.indexOf('INSERT INTO audit_logs')][6];

/** The row as `read()` finds it: for the update tests at version 3, for the delete tests at 5. */
const current: Row = { id: 't1', version: 3, name: 'old' };
const gone: Row = { id: 't1', version: 5, name: 'gone' };

/**
 * Runs `call` on a fresh manager with a mock standing for its write/remove callback and asserts
 * 412 with neither a statement sent nor the callback called.
 */
async function expectStale(
  call: (manager: EntityManager, sideEffect: jest.Mock) => Promise<unknown>,
): Promise<void> {
  const { manager, statements } = fakeManager();
  const sideEffect = jest.fn();
  await expect(call(manager, sideEffect)).rejects.toBeInstanceOf(PreconditionFailedError);
  expect(sideEffect).not.toHaveBeenCalled();
  expect(statements).toEqual([]);
}

describe('AuditService.updateGuarded', () => {
  it('is 412 on a stale If-Match before anything is written', () =>
    expectStale((manager, write) =>
      service().updateGuarded(manager, 2, {
        read: () => Promise.resolve(current),
        fields: ['name'],
        write,
        entry,
      }),
    ));

  it('rolls a no-op back to the savepoint and answers the row as read', async () => {
    const { manager, statements } = fakeManager();
    const result = await service().updateGuarded(manager, '*', {
      read: () => Promise.resolve(current),
      fields: ['name'],
      write: (row) => Promise.resolve({ ...row, version: row.version + 1 }),
      entry,
    });
    expect(result).toBe(current);
    expect(statements).toEqual(['SAVEPOINT audit_update_noop', 'ROLLBACK TO SAVEPOINT']);
  });

  it('writes at the version read and audits the differing fields as `update`', async () => {
    const { manager, statements, params } = fakeManager();
    const write = jest.fn((row: Row) => Promise.resolve({ ...row, version: 4, name: 'new' }));
    const result = await service().updateGuarded(manager, 3, {
      read: () => Promise.resolve(current),
      fields: ['name'],
      write,
      entry: { ...entry, extra: { code: 'T' } },
    });
    expect(write).toHaveBeenCalledWith(current);
    expect(result).toEqual({ id: 't1', version: 4, name: 'new' });
    expect(statements.slice(0, 2)).toEqual([
      'SAVEPOINT audit_update_noop',
      'RELEASE SAVEPOINT audit_update_noop',
    ]);
    expect(auditedAction(params, statements)).toBe('update');
    expect(auditedChanges(params, statements)).toEqual({
      code: 'T',
      name: { from: 'old', to: 'new' },
    });
  });

  it('takes the audit action from `action` when given', async () => {
    const { manager, statements, params } = fakeManager();
    await service().updateGuarded(manager, undefined, {
      read: () => Promise.resolve(current),
      fields: ['name'],
      action: (row) => (row.name === 'old' ? 'transition' : 'update'),
      write: (row) => Promise.resolve({ ...row, name: 'new' }),
      entry,
    });
    expect(auditedAction(params, statements)).toBe('transition');
  });
});

describe('AuditService.deleteGuarded', () => {
  it('is 412 on a stale If-Match and removes nothing', () =>
    expectStale((manager, remove) =>
      service().deleteGuarded(manager, 4, {
        read: () => Promise.resolve(gone),
        remove,
        entry,
        changes: (row) => ({ name: row.name }),
      }),
    ));

  it('removes the row read, then audits `delete` with its changes', async () => {
    const { manager, statements, params } = fakeManager();
    const remove = jest.fn(() => Promise.resolve());
    const result = await service().deleteGuarded(manager, 5, {
      read: () => Promise.resolve(gone),
      remove,
      entry,
      changes: (row) => ({ name: row.name }),
    });
    expect(result).toBe(gone);
    expect(remove).toHaveBeenCalledWith(gone);
    expect(auditedAction(params, statements)).toBe('delete');
    expect(auditedChanges(params, statements)).toEqual({ name: 'gone' });
  });
});
