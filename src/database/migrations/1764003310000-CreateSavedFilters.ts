import { MigrationInterface, QueryRunner } from 'typeorm';

const POLICY = `organization_id = current_setting('app.current_org', true)::uuid`;

/**
 * Saved filters ("views", SPEC-P3 §6): a person's named filter + sort + columns for one list
 * (`resource`), private or shared with the organization, at most one default per (owner,
 * resource) through a partial unique index. `filter` is kept exactly as it was validated, so a
 * field the list stops allowing later is detected when the view is used (`stale_filter`).
 */
export class CreateSavedFilters1764003310000 implements MigrationInterface {
  name = 'CreateSavedFilters1764003310000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE "saved_filters" (
        "id" uuid NOT NULL DEFAULT gen_uuid_v7(),
        "organization_id" uuid NOT NULL CONSTRAINT "fk_saved_filters_organization_id" REFERENCES "organizations" ("id") ON DELETE CASCADE,
        "owner_user_id" uuid NOT NULL CONSTRAINT "fk_saved_filters_owner_user_id" REFERENCES "users" ("id") ON DELETE CASCADE,
        "resource" character varying(50) NOT NULL,
        "name" character varying(100) NOT NULL,
        "filter" jsonb,
        "sort" character varying(500),
        "columns" text array NOT NULL DEFAULT '{}',
        "visibility" character varying(10) NOT NULL DEFAULT 'private',
        "is_default" boolean NOT NULL DEFAULT false,
        "created_at" timestamptz NOT NULL DEFAULT now(),
        "updated_at" timestamptz NOT NULL DEFAULT now(),
        "version" integer NOT NULL DEFAULT 1,
        CONSTRAINT "pk_saved_filters" PRIMARY KEY ("id"),
        CONSTRAINT "ck_saved_filters_visibility" CHECK ("visibility" IN ('private', 'shared')),
        CONSTRAINT "ck_saved_filters_name" CHECK (length("name") BETWEEN 1 AND 100)
      )`);
    await q.query(
      `CREATE INDEX "ix_saved_filters_resource" ON "saved_filters" ("organization_id", "resource", "owner_user_id")`,
    );
    await q.query(
      `CREATE UNIQUE INDEX "uq_saved_filters_default" ON "saved_filters" ("organization_id", "owner_user_id", "resource") WHERE "is_default"`,
    );
    await q.query(`ALTER TABLE "saved_filters" ENABLE ROW LEVEL SECURITY`);
    await q.query(
      `CREATE POLICY "tenant_isolation" ON "saved_filters" TO alees_tenant USING (${POLICY}) WITH CHECK (${POLICY})`,
    );
    await q.query(`GRANT SELECT, INSERT, UPDATE, DELETE ON "saved_filters" TO alees_tenant`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE "saved_filters"`);
  }
}
