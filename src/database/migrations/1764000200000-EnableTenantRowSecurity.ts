import { MigrationInterface, QueryRunner } from 'typeorm';

/** Tenant tables and how a row belongs to the organization in `app.current_org`. */
const POLICIES: Record<string, string> = {
  memberships: `organization_id = current_setting('app.current_org', true)::uuid`,
  api_keys: `organization_id = current_setting('app.current_org', true)::uuid`,
  audit_logs: `organization_id = current_setting('app.current_org', true)::uuid`,
  // System roles (no organization) are readable by every tenant; only the tenant's own are writable.
  roles: `organization_id IS NULL OR organization_id = current_setting('app.current_org', true)::uuid`,
};

/**
 * Row-level security as a second wall behind the repositories' `organization_id` filters (SPEC §5).
 * Tenant work runs in a transaction that switches to the NOLOGIN role `alees_tenant` and sets
 * `app.current_org`; under that role a query sees only that organization's rows, and with no
 * organization set it sees none (fail closed). The owner role (migrations, CLI, cross-tenant
 * lookups such as the auth guard's) is not subject to the policies.
 */
export class EnableTenantRowSecurity1764000200000 implements MigrationInterface {
  name = 'EnableTenantRowSecurity1764000200000';

  async up(q: QueryRunner): Promise<void> {
    // Roles are cluster-wide: create once, reuse from every database of the cluster.
    await q.query(`
      DO $$ BEGIN
        IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'alees_tenant') THEN
          CREATE ROLE alees_tenant NOLOGIN NOSUPERUSER NOBYPASSRLS;
        END IF;
      END $$`);
    await q.query(`GRANT alees_tenant TO CURRENT_USER`);
    await q.query(`GRANT USAGE ON SCHEMA public TO alees_tenant`);
    await q.query(
      `GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA public TO alees_tenant`,
    );
    await q.query(
      `ALTER DEFAULT PRIVILEGES IN SCHEMA public GRANT SELECT, INSERT, UPDATE, DELETE ON TABLES TO alees_tenant`,
    );
    await q.query(`GRANT EXECUTE ON FUNCTION gen_uuid_v7() TO alees_tenant`);
    for (const [table, condition] of Object.entries(POLICIES)) {
      await q.query(`ALTER TABLE "${table}" ENABLE ROW LEVEL SECURITY`);
      await q.query(
        `CREATE POLICY "tenant_isolation" ON "${table}" TO alees_tenant USING (${condition}) WITH CHECK (${condition.replace(
          'organization_id IS NULL OR ',
          '',
        )})`,
      );
    }
  }

  async down(q: QueryRunner): Promise<void> {
    for (const table of Object.keys(POLICIES)) {
      await q.query(`DROP POLICY "tenant_isolation" ON "${table}"`);
      await q.query(`ALTER TABLE "${table}" DISABLE ROW LEVEL SECURITY`);
    }
    await q.query(
      `ALTER DEFAULT PRIVILEGES IN SCHEMA public REVOKE SELECT, INSERT, UPDATE, DELETE ON TABLES FROM alees_tenant`,
    );
    await q.query(`REVOKE ALL ON ALL TABLES IN SCHEMA public FROM alees_tenant`);
    await q.query(`REVOKE EXECUTE ON FUNCTION gen_uuid_v7() FROM alees_tenant`);
    await q.query(`REVOKE USAGE ON SCHEMA public FROM alees_tenant`);
    // The role itself stays: other databases of the cluster may use it.
  }
}
