import { TargetRegistry } from '../../core/targets';
import { EntityManager } from 'typeorm';
import { Clock } from '../../core/clock';
import { PreconditionFailedError } from '../../core/http';
import type { TenantDatabase } from '../../core/tenancy';
import type { WakeUps } from '../../core/redis';
import { DomainEvents, DomainEventsRepository } from '../domain-events';
import type { AuditSealer } from './audit-sealer';
import { AuditService, domainEventOf } from './audit.service';

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
// The real publisher and repository: their INSERT goes to the fake manager like the audit row's.
const service = () =>
  new AuditService(
    {} as TenantDatabase,
    new Clock(),
    new DomainEvents(new DomainEventsRepository(), {
      signal: () => undefined,
    } as unknown as WakeUps),
    new TargetRegistry(),
    {} as AuditSealer,
  );
/** The one statement writing the audit row and its domain event (the audit INSERT as a CTE). */
const AUDIT_WITH_EVENT = 'WITH alongside AS';
/** The domain events written with the audit row (the publisher's one INSERT, parsed). */
const publishedEvents = (params: unknown[][], statements: string[]) =>
  JSON.parse(params[statements.indexOf(AUDIT_WITH_EVENT)].at(-1) as string) as Record<
    string,
    unknown
  >[];
/** `changes` of the audit INSERT, parsed (the 9th parameter). */
const auditedChanges = (params: unknown[][], statements: string[]) =>
  JSON.parse(params[statements.indexOf(AUDIT_WITH_EVENT)][8] as string) as unknown;
const auditedAction = (params: unknown[][], statements: string[]) =>
  params[statements.indexOf(AUDIT_WITH_EVENT)][5];

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
    // The event lists the fields that changed, not the natural key carried in `extra`.
    expect(publishedEvents(params, statements)).toEqual([
      expect.objectContaining({
        organization_id: 'org',
        type: 'thing.updated',
        entity_type: 'thing',
        entity_id: 't1',
        actor_user_id: 'u1',
        changed_fields: ['name'],
        request_id: 'r1',
      }),
    ]);
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

describe('domainEventOf', () => {
  const base = { ...entry, action: 'create', changes: { name: 'x' } };

  it('names the event <entityType>.<past tense of the action>', () => {
    expect(domainEventOf(base)?.type).toBe('thing.created');
    expect(domainEventOf({ ...base, action: 'archive' })?.type).toBe('thing.archived');
    expect(domainEventOf({ ...base, action: 'revoke' })?.type).toBe('thing.revoked');
    expect(domainEventOf({ ...base, action: 'move' })?.type).toBe('thing.moved');
    expect(domainEventOf({ ...base, action: 'delete' })?.changedFields).toEqual([]);
  });

  it('publishes nothing for system rows, account and security actions, reads, or on skip', () => {
    expect(domainEventOf({ ...base, organizationId: null })).toBeNull();
    expect(domainEventOf({ ...base, action: 'login.failure' })).toBeNull();
    expect(domainEventOf({ ...base, action: 'totp.enable' })).toBeNull();
    expect(domainEventOf({ ...base, action: 'read' })).toBeNull();
    expect(domainEventOf({ ...base, event: { skip: true } })).toBeNull();
  });

  it('takes the type and data a module passes', () => {
    const event = domainEventOf({
      ...base,
      entityType: 'comment',
      action: 'hide',
      event: { type: 'comment.hidden', data: { target: { entityType: 'product', entityId: 'p' } } },
    });
    expect(event).toMatchObject({
      type: 'comment.hidden',
      data: { target: { entityType: 'product', entityId: 'p' } },
      actorUserId: 'u1',
      requestId: 'r1',
    });
  });
});

describe('AuditService.record', () => {
  it('writes the audit row and its domain event in one statement (one round trip)', async () => {
    const { manager, statements, params } = fakeManager();
    await service().record(manager, { ...entry, action: 'create', changes: { name: 'n' } });
    expect(statements).toEqual([AUDIT_WITH_EVENT]);
    expect(auditedAction(params, statements)).toBe('create');
    expect(publishedEvents(params, statements)).toEqual([
      expect.objectContaining({ type: 'thing.created', entity_id: 't1' }),
    ]);
  });

  it('writes the audit row alone when it has no event', async () => {
    const { manager, statements } = fakeManager();
    await service().record(manager, { ...entry, action: 'login.failure' });
    expect(statements).toEqual(['INSERT INTO audit_logs']);
  });
});
