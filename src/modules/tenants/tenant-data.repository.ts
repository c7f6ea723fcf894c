import type { EntityManager } from 'typeorm';

/** A root organization: a tenant. */
export interface TenantRoot {
  id: string;
  code: string;
  name: string;
  path: string;
}

/** One table of tenant data and the SQL that selects the tenant's rows of it. */
export interface TenantTable {
  name: string;
  /** Exported columns: every column except secrets (hashes of passwords, keys, tokens, codes). */
  columns: string[];
  /** `SELECT <columns> FROM <table> WHERE <the tenant's rows>`, ids inlined (checked UUIDs). */
  select: string;
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
/** Columns never exported: credentials stay behind even in an export of one's own data. */
const SECRET_COLUMN = /(^|_)(password|key|token|code|request)_hash$|secret/;
/** Derived from other tables, rebuilt on demand: neither exported nor worth a file. */
const DERIVED_TABLES = new Set(['domain_events', 'search_terms']);
/**
 * Left to its consumers by the purge: the purge publishes one `<type>.deleted` event per record in
 * {@link PURGE_ANNOUNCED} (the search consumer erases the tenant's documents from an external index,
 * Elasticsearch, that way), and events of the tenant still pending are delivered too; the relay
 * deletes them once delivered. Consumers tolerate events of an organization that is gone.
 */
const KEPT_FOR_CONSUMER = new Set(['domain_events']);
/**
 * Tables whose purged rows are announced as domain events (table → event entity type): records that
 * live on outside the database (search documents) and go only when a consumer hears of the deletion.
 */
const PURGE_ANNOUNCED: Readonly<Record<string, string>> = {
  products: 'product',
  contacts: 'contact',
};

/** A record the purge deleted that consumers must hear of (`<entityType>.deleted`). */
export interface PurgedRecord {
  organizationId: string;
  entityType: string;
  entityId: string;
}

const quoteIdent = (name: string): string => `"${name.replace(/"/g, '""')}"`;

/** `ARRAY['…','…']::uuid[]` from ids that are checked to be UUIDs (never client text). */
function uuidArray(ids: string[]): string {
  for (const id of ids) if (!UUID.test(id)) throw new Error(`not a uuid: ${id}`);
  return `ARRAY[${ids.map((id) => `'${id}'`).join(',')}]::uuid[]`;
}

/**
 * SQL over every table that holds a tenant's rows. The tables are found in the catalogue (every
 * base table with an `organization_id` column), so a new tenant table is exported and purged
 * without a change here. Runs as the owner: a legitimate cross-tenant (platform) path, used only
 * by superusers' tenant routes and the export task.
 */
export class TenantDataRepository {
  /**
   * Locks the root organization row `id` (`FOR UPDATE`, until the caller's transaction ends) so
   * nothing is added under it while it is purged; false when it is missing or not a root.
   */
  async lockRoot(manager: EntityManager, id: string): Promise<boolean> {
    const rows = await manager.query<{ id: string }[]>(
      `SELECT id FROM organizations WHERE id = $1 AND parent_id IS NULL FOR UPDATE`,
      [id],
    );
    return rows.length > 0;
  }

  /** The root organization `id`, or null when it is missing or not a root. */
  async findRoot(manager: EntityManager, id: string): Promise<TenantRoot | null> {
    const [row] = await manager.query<TenantRoot[]>(
      `SELECT id, code, name, path FROM organizations WHERE id = $1 AND parent_id IS NULL`,
      [id],
    );
    return row ?? null;
  }

  /** Ids of the root and every descendant. */
  async subtreeIds(manager: EntityManager, root: TenantRoot): Promise<string[]> {
    const rows = await manager.query<{ id: string }[]>(
      `SELECT id FROM organizations WHERE path LIKE $1 || '%' ORDER BY depth, id`,
      [root.path],
    );
    return rows.map((r) => r.id);
  }

  /** Tenant tables (with an `organization_id`), children before the tables they reference. */
  async tenantTables(manager: EntityManager): Promise<string[]> {
    const tables = (
      await manager.query<{ table_name: string }[]>(
        `SELECT c.table_name
           FROM information_schema.columns c
           JOIN information_schema.tables t
             ON t.table_schema = c.table_schema AND t.table_name = c.table_name
          WHERE c.table_schema = current_schema() AND c.column_name = 'organization_id'
            AND t.table_type = 'BASE TABLE'
          ORDER BY c.table_name`,
      )
    ).map((r) => r.table_name);
    const edges = await manager.query<{ child: string; parent: string }[]>(
      `SELECT conrelid::regclass::text AS child, confrelid::regclass::text AS parent
         FROM pg_constraint
        WHERE contype = 'f' AND connamespace = current_schema()::regnamespace
          AND conrelid <> confrelid`,
    );
    return childrenFirst(tables, edges);
  }

  /** What an export writes: one entry per tenant table plus the identity rows around them. */
  async exportTables(manager: EntityManager, orgIds: string[]): Promise<TenantTable[]> {
    const ids = uuidArray(orgIds);
    const memberships = `SELECT id FROM memberships WHERE organization_id = ANY (${ids})`;
    const tenantRoles = `SELECT id FROM roles WHERE organization_id = ANY (${ids})`;
    const scopes: Record<string, string> = {
      organizations: `id = ANY (${ids})`,
      users: `id IN (SELECT user_id FROM memberships WHERE organization_id = ANY (${ids}))`,
      membership_roles: `membership_id IN (${memberships})`,
      role_permissions: `role_id IN (${tenantRoles})`,
    };
    for (const table of await this.tenantTables(manager)) {
      if (!DERIVED_TABLES.has(table)) scopes[table] = `organization_id = ANY (${ids})`;
    }
    const columns = await manager.query<{ table_name: string; column_name: string }[]>(
      `SELECT table_name, column_name FROM information_schema.columns
        WHERE table_schema = current_schema() AND table_name = ANY ($1)
        ORDER BY table_name, ordinal_position`,
      [Object.keys(scopes)],
    );
    return Object.entries(scopes).map(([name, where]) => {
      const exported = columns
        .filter((c) => c.table_name === name && !SECRET_COLUMN.test(c.column_name))
        .map((c) => c.column_name);
      const hasId = exported.includes('id');
      return {
        name,
        columns: exported,
        select:
          `SELECT ${exported.map(quoteIdent).join(', ')} FROM ${quoteIdent(name)} WHERE ${where}` +
          (hasId ? ' ORDER BY id' : ''),
      };
    });
  }

  /** Storage keys of the tenant's stored files (their bytes are deleted after the purge commits). */
  async storageKeys(manager: EntityManager, orgIds: string[]): Promise<string[]> {
    const rows = await manager.query<{ storage_key: string }[]>(
      `SELECT storage_key FROM stored_files WHERE organization_id = ANY ($1::uuid[])`,
      [orgIds],
    );
    return rows.map((r) => r.storage_key);
  }

  /**
   * Deletes every row of the subtree's organizations in the caller's transaction: tenant tables
   * children first, then memberships' role links, then the organizations. The append-only ledgers
   * (audit log, stock moves) let these deletes through only because `app.tenant_purge` names the
   * organizations for this transaction (migration AllowTenantPurge). `domain_events` is left to the
   * relay (see `KEPT_FOR_CONSUMER`). Returns deleted rows per table, and the deleted records the
   * caller publishes `<type>.deleted` events for (see `PURGE_ANNOUNCED`).
   */
  async purge(
    manager: EntityManager,
    orgIds: string[],
  ): Promise<{ deleted: Record<string, number>; announced: PurgedRecord[] }> {
    await manager.query(`SELECT set_config('app.tenant_purge', $1, true)`, [orgIds.join(',')]);
    const deleted: Record<string, number> = {};
    const announced: PurgedRecord[] = [];
    for (const table of await this.tenantTables(manager)) {
      if (KEPT_FOR_CONSUMER.has(table)) continue;
      const entityType = PURGE_ANNOUNCED[table];
      const [rows, count] = await manager.query<
        [{ id: string; organization_id: string }[], number]
      >(
        `DELETE FROM ${quoteIdent(table)} WHERE organization_id = ANY ($1::uuid[])
         ${entityType ? 'RETURNING id, organization_id' : ''}`,
        [orgIds],
      );
      if (entityType) {
        for (const row of rows) {
          announced.push({ organizationId: row.organization_id, entityType, entityId: row.id });
        }
      }
      if (count > 0) deleted[table] = count;
    }
    const [, organizations] = await manager.query<[unknown, number]>(
      `DELETE FROM organizations WHERE id = ANY ($1::uuid[])`,
      [orgIds],
    );
    deleted.organizations = organizations;
    return { deleted, announced };
  }
}

/**
 * Orders tables so that each comes before every table it references (so deleting in this order never
 * trips a foreign key). Edges to tables outside the list are ignored; a cycle (none today) keeps
 * the remaining tables in name order.
 */
export function childrenFirst(
  tables: string[],
  edges: { child: string; parent: string }[],
): string[] {
  const inList = new Set(tables);
  const referencedBy = new Map<string, Set<string>>(tables.map((t) => [t, new Set<string>()]));
  for (const { child, parent } of edges) {
    if (inList.has(child) && inList.has(parent)) referencedBy.get(parent)?.add(child);
  }
  const ordered: string[] = [];
  const placed = new Set<string>();
  while (ordered.length < tables.length) {
    const ready = tables.filter(
      (t) => !placed.has(t) && [...(referencedBy.get(t) ?? [])].every((c) => placed.has(c)),
    );
    const next = ready.length > 0 ? ready : tables.filter((t) => !placed.has(t));
    for (const t of ready.length > 0 ? next : next.slice(0, 1)) {
      placed.add(t);
      ordered.push(t);
    }
  }
  return ordered;
}
