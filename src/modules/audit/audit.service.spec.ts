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

describe('AuditService.updateGuarded', () => {
  const before: Row = { id: 't1', version: 3, name: 'old' };

  it('is 412 on a stale If-Match before anything is written', async () => {
    const { manager, statements } = fakeManager();
    const write = jest.fn();
    await expect(
      service().updateGuarded(manager, {
        read: () => Promise.resolve(before),
        expectedVersion: 2,
        fields: ['name'],
        write,
        entry,
      }),
    ).rejects.toBeInstanceOf(PreconditionFailedError);
    expect(write).not.toHaveBeenCalled();
    expect(statements).toEqual([]);
  });

  it('rolls a no-op back to the savepoint and answers the row as read', async () => {
    const { manager, statements } = fakeManager();
    const result = await service().updateGuarded(manager, {
      read: () => Promise.resolve(before),
      expectedVersion: '*',
      fields: ['name'],
      write: (row) => Promise.resolve({ ...row, version: row.version + 1 }),
      entry,
    });
    expect(result).toBe(before);
    expect(statements).toEqual(['SAVEPOINT audit_update_noop', 'ROLLBACK TO SAVEPOINT']);
  });

  it('writes at the version read and audits the differing fields as `update`', async () => {
    const { manager, statements, params } = fakeManager();
    const write = jest.fn((row: Row) => Promise.resolve({ ...row, version: 4, name: 'new' }));
    const result = await service().updateGuarded(manager, {
      read: () => Promise.resolve(before),
      expectedVersion: 3,
      fields: ['name'],
      write,
      entry: { ...entry, extra: { code: 'T' } },
    });
    expect(write).toHaveBeenCalledWith(before);
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
    await service().updateGuarded(manager, {
      read: () => Promise.resolve(before),
      expectedVersion: undefined,
      fields: ['name'],
      action: (row) => (row.name === 'old' ? 'transition' : 'update'),
      write: (row) => Promise.resolve({ ...row, name: 'new' }),
      entry,
    });
    expect(auditedAction(params, statements)).toBe('transition');
  });
});

describe('AuditService.deleteGuarded', () => {
  const before: Row = { id: 't1', version: 5, name: 'gone' };

  it('is 412 on a stale If-Match and removes nothing', async () => {
    const { manager, statements } = fakeManager();
    const remove = jest.fn();
    await expect(
      service().deleteGuarded(manager, {
        read: () => Promise.resolve(before),
        expectedVersion: 4,
        remove,
        entry,
        changes: (row) => ({ name: row.name }),
      }),
    ).rejects.toBeInstanceOf(PreconditionFailedError);
    expect(remove).not.toHaveBeenCalled();
    expect(statements).toEqual([]);
  });

  it('removes the row read, then audits `delete` with its changes', async () => {
    const { manager, statements, params } = fakeManager();
    const remove = jest.fn(() => Promise.resolve());
    const result = await service().deleteGuarded(manager, {
      read: () => Promise.resolve(before),
      expectedVersion: 5,
      remove,
      entry,
      changes: (row) => ({ name: row.name }),
    });
    expect(result).toBe(before);
    expect(remove).toHaveBeenCalledWith(before);
    expect(auditedAction(params, statements)).toBe('delete');
    expect(auditedChanges(params, statements)).toEqual({ name: 'gone' });
  });
});
