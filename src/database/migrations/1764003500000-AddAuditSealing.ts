import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Audited writes no longer queue on their organization's chain (issue 21). A row is inserted
 * *unsealed* — `seq`, `prev_hash`, `hash` NULL — carrying the id of the transaction that wrote it
 * (`txid`, forced by a trigger so it cannot be forged); the worker's sealer later assigns the
 * chain columns in (`txid`, `created_at`, `id`) order once that transaction is older than every
 * transaction still running (`pg_snapshot_xmin`), so no earlier row can still appear.
 *
 * The append-only trigger now lets exactly one UPDATE through per row: the sealing one, from
 * unsealed to sealed, changing nothing but `seq`, `prev_hash` and `hash`. A sealed row stays
 * immutable (UPDATE refused, DELETE only by the tenant purge), so its tamper evidence is unchanged.
 * Rows written before this migration are sealed already (`txid` NULL). The trigger sends no NOTIFY:
 * PostgreSQL serialises every committing transaction that notified on one cluster-wide lock held
 * through its commit, which would be a queue of its own (the sealer polls, see AuditSealerLoop).
 */
export class AddAuditSealing1764003500000 implements MigrationInterface {
  name = 'AddAuditSealing1764003500000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE "audit_logs" ADD "txid" bigint`);
    await q.query(`ALTER TABLE "audit_logs" ALTER COLUMN "seq" DROP NOT NULL`);
    await q.query(`ALTER TABLE "audit_logs" ALTER COLUMN "prev_hash" DROP NOT NULL`);
    await q.query(`ALTER TABLE "audit_logs" ALTER COLUMN "hash" DROP NOT NULL`);
    // Sealed means all three chain columns; unsealed means none and a writing transaction.
    await q.query(
      `ALTER TABLE "audit_logs" ADD CONSTRAINT "ck_audit_logs_sealed" CHECK (("seq" IS NULL AND "prev_hash" IS NULL AND "hash" IS NULL AND "txid" IS NOT NULL) OR ("seq" IS NOT NULL AND "prev_hash" IS NOT NULL AND "hash" IS NOT NULL))`,
    );
    // The unsealed tail only (small): which chains have work, in sealing order.
    await q.query(
      `CREATE INDEX "ix_audit_logs_unsealed" ON "audit_logs" ("chain_key", "txid", "created_at", "id") WHERE "seq" IS NULL`,
    );
    await q.query(`
      CREATE FUNCTION audit_logs_stamp_txid() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        IF NEW.seq IS NULL THEN
          NEW.txid := pg_current_xact_id()::text::bigint;
        END IF;
        RETURN NEW;
      END $$`);
    await q.query(`
      CREATE TRIGGER "trg_audit_logs_stamp_txid" BEFORE INSERT ON "audit_logs"
      FOR EACH ROW EXECUTE FUNCTION audit_logs_stamp_txid()`);
    await q.query(`
      CREATE OR REPLACE FUNCTION audit_logs_refuse_change() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        IF TG_OP = 'DELETE' AND TG_LEVEL = 'ROW' AND tenant_purge_allows(OLD.organization_id) THEN
          RETURN OLD;
        END IF;
        -- Sealing: once, unsealed -> sealed, nothing but the chain columns changes.
        IF TG_OP = 'UPDATE' AND OLD.seq IS NULL AND NEW.seq IS NOT NULL
           AND (to_jsonb(NEW) - 'seq' - 'prev_hash' - 'hash') = (to_jsonb(OLD) - 'seq' - 'prev_hash' - 'hash') THEN
          RETURN NEW;
        END IF;
        RAISE EXCEPTION 'audit_logs is append-only (% refused)', TG_OP USING ERRCODE = 'insufficient_privilege';
      END $$`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE OR REPLACE FUNCTION audit_logs_refuse_change() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        IF TG_OP = 'DELETE' AND TG_LEVEL = 'ROW' AND tenant_purge_allows(OLD.organization_id) THEN
          RETURN OLD;
        END IF;
        RAISE EXCEPTION 'audit_logs is append-only (% refused)', TG_OP USING ERRCODE = 'insufficient_privilege';
      END $$`);
    await q.query(`DROP TRIGGER "trg_audit_logs_stamp_txid" ON "audit_logs"`);
    await q.query(`DROP FUNCTION audit_logs_stamp_txid()`);
    await q.query(`DROP INDEX "ix_audit_logs_unsealed"`);
    await q.query(`ALTER TABLE "audit_logs" DROP CONSTRAINT "ck_audit_logs_sealed"`);
    // Unsealed rows cannot satisfy the old NOT NULLs: seal them (the worker's sealer) before
    // going down; this refuses rather than dropping audit history.
    await q.query(`ALTER TABLE "audit_logs" ALTER COLUMN "hash" SET NOT NULL`);
    await q.query(`ALTER TABLE "audit_logs" ALTER COLUMN "prev_hash" SET NOT NULL`);
    await q.query(`ALTER TABLE "audit_logs" ALTER COLUMN "seq" SET NOT NULL`);
    await q.query(`ALTER TABLE "audit_logs" DROP COLUMN "txid"`);
  }
}
