import { MigrationInterface, QueryRunner } from 'typeorm';

const OWN = `organization_id = current_setting('app.current_org', true)::uuid`;

/**
 * The system vocabulary of SPEC-P3 §1 (organization NULL, entity type NULL = any type): code,
 * name, category, colour, position. `draft` is the system default. Inserted only when absent, so
 * running this again (or after an organization added its own rows) changes nothing.
 */
const SYSTEM_STATUSES: [code: string, name: string, category: string, color: string][] = [
  ['draft', 'Draft', 'open', '#9e9e9e'],
  ['active', 'Active', 'in_progress', '#2e7d32'],
  ['inactive', 'Inactive', 'cancelled', '#757575'],
  ['archived', 'Archived', 'done', '#5d4037'],
  ['pending', 'Pending', 'open', '#f9a825'],
  ['pending_approval', 'Pending approval', 'in_progress', '#ef6c00'],
  ['approved', 'Approved', 'in_progress', '#1565c0'],
  ['rejected', 'Rejected', 'cancelled', '#c62828'],
  ['completed', 'Completed', 'done', '#00897b'],
  ['cancelled', 'Cancelled', 'cancelled', '#424242'],
];

/**
 * The statuses registry (SPEC-P3 §1): system rows (organization NULL) readable by every tenant and
 * writable by none, and each organization's own rows. `(organization, entity type, code)` is unique
 * with NULLs equal (PostgreSQL 15 `NULLS NOT DISTINCT`), and at most one default per
 * (organization, entity type) through a partial unique index. Row-level security has one policy
 * per command, so a tenant may SELECT system rows but INSERT, UPDATE and DELETE only its own (a
 * single `USING (org IS NULL OR …)` policy would let DELETE reach the system rows).
 */
export class CreateStatuses1764003300000 implements MigrationInterface {
  name = 'CreateStatuses1764003300000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE "statuses" (
        "id" uuid NOT NULL DEFAULT gen_uuid_v7(),
        "organization_id" uuid CONSTRAINT "fk_statuses_organization_id" REFERENCES "organizations" ("id") ON DELETE CASCADE,
        "entity_type" character varying(50),
        "code" character varying(50) NOT NULL,
        "name" character varying(100) NOT NULL,
        "category" character varying(20) NOT NULL,
        "color" character(7) NOT NULL,
        "position" integer NOT NULL DEFAULT 0,
        "is_default" boolean NOT NULL DEFAULT false,
        "is_active" boolean NOT NULL DEFAULT true,
        "created_at" timestamptz NOT NULL DEFAULT now(),
        "updated_at" timestamptz NOT NULL DEFAULT now(),
        "version" integer NOT NULL DEFAULT 1,
        CONSTRAINT "pk_statuses" PRIMARY KEY ("id"),
        CONSTRAINT "ck_statuses_category" CHECK ("category" IN ('open', 'in_progress', 'done', 'cancelled')),
        CONSTRAINT "ck_statuses_code" CHECK ("code" ~ '^[a-z][a-z0-9_]{0,49}$'),
        CONSTRAINT "ck_statuses_color" CHECK ("color" ~ '^#[0-9a-f]{6}$'),
        CONSTRAINT "ck_statuses_default_active" CHECK (NOT "is_default" OR "is_active")
      )`);
    await q.query(
      `CREATE UNIQUE INDEX "uq_statuses_code" ON "statuses" ("organization_id", "entity_type", "code") NULLS NOT DISTINCT`,
    );
    await q.query(
      `CREATE UNIQUE INDEX "uq_statuses_default" ON "statuses" ("organization_id", "entity_type") NULLS NOT DISTINCT WHERE "is_default"`,
    );
    await q.query(`ALTER TABLE "statuses" ENABLE ROW LEVEL SECURITY`);
    await q.query(
      `CREATE POLICY "tenant_read" ON "statuses" FOR SELECT TO alees_tenant USING (organization_id IS NULL OR ${OWN})`,
    );
    await q.query(
      `CREATE POLICY "tenant_insert" ON "statuses" FOR INSERT TO alees_tenant WITH CHECK (${OWN})`,
    );
    await q.query(
      `CREATE POLICY "tenant_update" ON "statuses" FOR UPDATE TO alees_tenant USING (${OWN}) WITH CHECK (${OWN})`,
    );
    await q.query(
      `CREATE POLICY "tenant_delete" ON "statuses" FOR DELETE TO alees_tenant USING (${OWN})`,
    );
    await q.query(`GRANT SELECT, INSERT, UPDATE, DELETE ON "statuses" TO alees_tenant`);
    for (const [index, [code, name, category, color]] of SYSTEM_STATUSES.entries()) {
      await q.query(
        `INSERT INTO "statuses" ("organization_id", "entity_type", "code", "name", "category", "color", "position", "is_default")
         SELECT NULL, NULL, $1::varchar, $2, $3, $4, $5::int, $6::boolean
          WHERE NOT EXISTS (SELECT 1 FROM "statuses" WHERE "organization_id" IS NULL AND "entity_type" IS NULL AND "code" = $1::varchar)`,
        [code, name, category, color, (index + 1) * 10, code === 'draft'],
      );
    }
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE "statuses"`);
  }
}
