import type { DomainEvent } from '../domain-events';
import { searchChangesOf } from './search-index.consumer';

const event = (
  type: string,
  entityId: string | null,
  organizationId: string | null = 'org-a',
): DomainEvent => ({
  id: '1',
  eventId: 'e',
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

describe('searchChangesOf', () => {
  it('maps product and contact events of any verb to one change per record', () => {
    expect(
      searchChangesOf([
        event('product.created', 'p1'),
        event('product.updated', 'p1'),
        event('product.deleted', 'p2'),
        event('contact.updated', 'c1'),
        event('product.created', 'p1', 'org-b'),
      ]),
    ).toEqual([
      { organizationId: 'org-a', type: 'products', id: 'p1' },
      { organizationId: 'org-a', type: 'products', id: 'p2' },
      { organizationId: 'org-a', type: 'contacts', id: 'c1' },
      { organizationId: 'org-b', type: 'products', id: 'p1' },
    ]);
  });

  it('ignores other types, events without a record and system events', () => {
    expect(
      searchChangesOf([
        event('warehouse.created', 'w1'),
        event('product.imported', null),
        event('product.created', 'p1', null),
      ]),
    ).toEqual([]);
  });
});
