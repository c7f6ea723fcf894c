import { DataSource, EntityManager } from 'typeorm';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** A tenant operation was attempted with no organization: a bug, never "all rows". */
export class TenantContextMissingError extends Error {
  constructor() {
    super('No organization in context for a tenant-scoped operation');
    this.name = 'TenantContextMissingError';
  }
}

/** Fails closed: returns the id only when it is a real organization id. */
export function requireOrganizationId(organizationId: string | null | undefined): string {
  if (!organizationId || !UUID.test(organizationId)) throw new TenantContextMissingError();
  return organizationId;
}

/**
 * Runs `work` in a transaction bound to one organization: the role becomes `alees_tenant` (subject
 * to row-level security) and `app.current_org` is set for this transaction only, so even a query
 * that forgot its `organization_id` filter cannot see or write another tenant's rows.
 */
export async function withTenant<T>(
  dataSource: DataSource,
  organizationId: string | null | undefined,
  work: (manager: EntityManager) => Promise<T>,
): Promise<T> {
  const orgId = requireOrganizationId(organizationId);
  return dataSource.transaction(async (manager) => {
    // One round trip: `set_config('role', ..., true)` is SET LOCAL ROLE.
    await manager.query(
      `SELECT set_config('role', 'alees_tenant', true), set_config('app.current_org', $1, true)`,
      [orgId],
    );
    return work(manager);
  });
}
