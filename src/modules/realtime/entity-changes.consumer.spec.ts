import type { DomainEvent } from '../domain-events';
import { announcementsOf, BULK_EVENT_THRESHOLD } from './entity-changes.consumer';

const event = (type: string, entityId: string, organizationId = 'org-a'): DomainEvent => ({
  id: '1',
  eventId: `e-${entityId}`,
  organizationId,
  type,
  entityType: type.split('.')[0],
  entityId,
  actorUserId: null,
  actorApiKeyId: null,
  changedFields: [],
  data: {},
  causationDepth: 0,
  requestId: null,
  occurredAt: '2026-12-01T00:00:00.000Z',
});

describe('announcementsOf', () => {
  it('announces each product or contact change with its action; the last event of a record wins', () => {
    expect(
      announcementsOf([
        event('product.created', 'p1'),
        event('product.updated', 'p1'),
        event('contact.deleted', 'c1'),
        event('product.archived', 'p2'),
        event('product.created', 'p3', 'org-b'),
      ]),
    ).toEqual([
      { orgId: 'org-a', type: 'products', id: 'p1', action: 'update' },
      { orgId: 'org-a', type: 'products', id: 'p2', action: 'update' },
      { orgId: 'org-a', type: 'contacts', id: 'c1', action: 'delete' },
      { orgId: 'org-b', type: 'products', id: 'p3', action: 'insert' },
    ]);
  });

  it('leaves out types clients do not watch and events without a record', () => {
    expect(
      announcementsOf([
        event('warehouse.created', 'w1'),
        { ...event('product.imported', 'x'), entityId: null },
      ]),
    ).toEqual([]);
  });

  it(`turns more than ${BULK_EVENT_THRESHOLD} records of one organization and type into one bulk event`, () => {
    const many = Array.from({ length: BULK_EVENT_THRESHOLD + 1 }, (_, i) =>
      event('product.created', `p${i}`),
    );
    expect(announcementsOf([...many, event('contact.updated', 'c1')])).toEqual([
      { orgId: 'org-a', type: 'products', count: BULK_EVENT_THRESHOLD + 1 },
      { orgId: 'org-a', type: 'contacts', id: 'c1', action: 'update' },
    ]);
  });
});
