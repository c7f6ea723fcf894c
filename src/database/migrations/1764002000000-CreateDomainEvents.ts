import { MigrationInterface, QueryRunner } from 'typeorm';

const POLICY = `organization_id = current_setting('app.current_org', true)::uuid`;
const SEARCHED = ['products', 'contacts'];

/**
 * The domain events outbox (`domain_events`): one row per business event, written in the
 * transaction of the change (by `DomainEvents.publish`, mostly through `AuditService.record`) and
 * consumed by the worker's relay, which deletes it in the transaction that ran every consumer.
 * Tenants may only INSERT their own organization's events (row-level security); reading, claiming
 * and deleting is the relay's (owner role). `attempts`/`available_at`/`failed_at` carry the retry
 * backoff and the dead-letter state of a poison event. Search indexing becomes a consumer, so the
 * trigger-filled `search_outbox` of CreateSearch (its table, triggers and function) is dropped.
 */
export class CreateDomainEvents1764002000000 implements MigrationInterface {
  name = 'CreateDomainEvents1764002000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE "domain_events" (
        "id" bigserial NOT NULL,
        "event_id" uuid NOT NULL DEFAULT gen_uuid_v7(),
        "organization_id" uuid,
        "type" text NOT NULL,
        "entity_type" text NOT NULL,
        "entity_id" text,
        "actor_user_id" uuid,
        "actor_api_key_id" uuid,
        "changed_fields" text array NOT NULL DEFAULT '{}',
        "data" jsonb NOT NULL DEFAULT '{}',
        "causation_depth" integer NOT NULL DEFAULT 0,
        "request_id" text,
        "occurred_at" timestamptz NOT NULL DEFAULT now(),
        "attempts" integer NOT NULL DEFAULT 0,
        "available_at" timestamptz NOT NULL DEFAULT now(),
        "failed_at" timestamptz,
        "last_error" text,
        CONSTRAINT "pk_domain_events" PRIMARY KEY ("id"),
        CONSTRAINT "uq_domain_events_event_id" UNIQUE ("event_id")
      )`);
    // The relay claims the oldest pending events: only live (not dead-lettered) rows are indexed.
    await q.query(
      `CREATE INDEX "ix_domain_events_pending" ON "domain_events" ("id") WHERE "failed_at" IS NULL`,
    );
    await q.query(`ALTER TABLE "domain_events" ENABLE ROW LEVEL SECURITY`);
    await q.query(
      `CREATE POLICY "tenant_isolation" ON "domain_events" TO alees_tenant USING (${POLICY}) WITH CHECK (${POLICY})`,
    );
    // Default privileges gave the tenant role everything: an outbox is written, never read, by it.
    await q.query(`REVOKE SELECT, UPDATE, DELETE ON "domain_events" FROM alees_tenant`);
    await q.query(`GRANT INSERT ON "domain_events" TO alees_tenant`);
    await q.query(`GRANT USAGE ON SEQUENCE "domain_events_id_seq" TO alees_tenant`);

    for (const table of SEARCHED) {
      for (const event of ['insert', 'update', 'delete']) {
        await q.query(`DROP TRIGGER "trg_${table}_search_${event}" ON "${table}"`);
      }
    }
    await q.query(`DROP FUNCTION search_outbox_capture()`);
    await q.query(`DROP TABLE "search_outbox"`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE "search_outbox" (
        "id" bigserial NOT NULL,
        "organization_id" uuid NOT NULL,
        "entity_type" character varying(32) NOT NULL,
        "entity_id" uuid NOT NULL,
        "operation" character varying(8) NOT NULL,
        "created_at" timestamptz NOT NULL DEFAULT now(),
        CONSTRAINT "pk_search_outbox" PRIMARY KEY ("id")
      )`);
    await q.query(`ALTER TABLE "search_outbox" ENABLE ROW LEVEL SECURITY`);
    await q.query(
      `CREATE POLICY "tenant_isolation" ON "search_outbox" TO alees_tenant USING (${POLICY}) WITH CHECK (${POLICY})`,
    );
    await q.query(`GRANT INSERT ON "search_outbox" TO alees_tenant`);
    await q.query(`GRANT USAGE ON SEQUENCE "search_outbox_id_seq" TO alees_tenant`);
    await q.query(`
      CREATE FUNCTION search_outbox_capture() RETURNS trigger
      LANGUAGE plpgsql AS $$
      BEGIN
        IF TG_OP = 'DELETE' THEN
          INSERT INTO search_outbox (organization_id, entity_type, entity_id, operation)
          SELECT organization_id, TG_TABLE_NAME, id, 'delete' FROM old_rows;
        ELSE
          INSERT INTO search_outbox (organization_id, entity_type, entity_id, operation)
          SELECT organization_id, TG_TABLE_NAME, id, lower(TG_OP) FROM new_rows;
        END IF;
        PERFORM pg_notify('search_outbox', TG_TABLE_NAME);
        RETURN NULL;
      END $$`);
    for (const table of SEARCHED) {
      await q.query(`CREATE TRIGGER "trg_${table}_search_insert" AFTER INSERT ON "${table}"
        REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION search_outbox_capture()`);
      await q.query(`CREATE TRIGGER "trg_${table}_search_update" AFTER UPDATE ON "${table}"
        REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION search_outbox_capture()`);
      await q.query(`CREATE TRIGGER "trg_${table}_search_delete" AFTER DELETE ON "${table}"
        REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION search_outbox_capture()`);
    }
    await q.query(`DROP TABLE "domain_events"`);
  }
}
