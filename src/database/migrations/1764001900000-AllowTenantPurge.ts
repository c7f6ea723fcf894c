import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The append-only ledgers (audit log, stock moves) refuse UPDATE and DELETE. Offboarding a tenant
 * must still be able to erase its rows: the row triggers now let a DELETE through when the
 * transaction has named the row's organization in `app.tenant_purge` (a comma-separated list of
 * organization ids, set only by the tenant purge with `set_config(..., true)`). UPDATE and TRUNCATE
 * stay refused, and no ordinary request path sets the variable.
 */
export class AllowTenantPurge1764001900000 implements MigrationInterface {
  name = 'AllowTenantPurge1764001900000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE FUNCTION tenant_purge_allows(org uuid) RETURNS boolean LANGUAGE sql STABLE AS $$
        SELECT org IS NOT NULL
           AND org::text = ANY (string_to_array(coalesce(current_setting('app.tenant_purge', true), ''), ','))
      $$`);
    await q.query(`
      CREATE OR REPLACE FUNCTION audit_logs_refuse_change() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        IF TG_OP = 'DELETE' AND TG_LEVEL = 'ROW' AND tenant_purge_allows(OLD.organization_id) THEN
          RETURN OLD;
        END IF;
        RAISE EXCEPTION 'audit_logs is append-only (% refused)', TG_OP USING ERRCODE = 'insufficient_privilege';
      END $$`);
    await q.query(`
      CREATE OR REPLACE FUNCTION stock_moves_refuse_change() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        IF TG_OP = 'DELETE' AND TG_LEVEL = 'ROW' AND tenant_purge_allows(OLD.organization_id) THEN
          RETURN OLD;
        END IF;
        RAISE EXCEPTION 'stock_moves is an append-only ledger; post a reverse move instead'
          USING ERRCODE = 'insufficient_privilege';
      END $$`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE OR REPLACE FUNCTION audit_logs_refuse_change() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        RAISE EXCEPTION 'audit_logs is append-only (% refused)', TG_OP USING ERRCODE = 'insufficient_privilege';
      END $$`);
    await q.query(`
      CREATE OR REPLACE FUNCTION stock_moves_refuse_change() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        RAISE EXCEPTION 'stock_moves is an append-only ledger; post a reverse move instead'
          USING ERRCODE = 'insufficient_privilege';
      END $$`);
    await q.query(`DROP FUNCTION tenant_purge_allows(uuid)`);
  }
}
