import { MigrationInterface, QueryRunner } from 'typeorm';

const POLICY = `organization_id = current_setting('app.current_org', true)::uuid`;

/**
 * Issue 17 (SPEC-P3 §9, §3 timeline): a person's profile (`user_profiles`, one per account, not
 * tenant-owned: it follows the person into every organization), the per-organization facts an
 * employer keeps about a member (`member_profiles`, tenant table under row-level security), and the
 * audit-log index the timeline pages a record's field changes with (newest first by
 * `(created_at, id)` inside one entity: a record with 10,000 changes pages by index, not by sort).
 */
export class CreateProfiles1764002300000 implements MigrationInterface {
  name = 'CreateProfiles1764002300000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE "user_profiles" (
        "user_id" uuid NOT NULL CONSTRAINT "fk_user_profiles_user_id" REFERENCES "users" ("id") ON DELETE CASCADE,
        "job_title" character varying(100),
        "phone" character varying(16),
        "avatar_file_id" uuid CONSTRAINT "fk_user_profiles_avatar_file_id" REFERENCES "stored_files" ("id") ON DELETE SET NULL,
        "avatar_organization_id" uuid,
        "working_hours" jsonb,
        "out_of_office_until" timestamptz,
        "delegate_user_id" uuid CONSTRAINT "fk_user_profiles_delegate_user_id" REFERENCES "users" ("id") ON DELETE SET NULL,
        "created_at" timestamptz NOT NULL DEFAULT now(),
        "updated_at" timestamptz NOT NULL DEFAULT now(),
        "version" integer NOT NULL DEFAULT 1,
        CONSTRAINT "pk_user_profiles" PRIMARY KEY ("user_id"),
        CONSTRAINT "ck_user_profiles_delegate_not_self" CHECK ("delegate_user_id" IS DISTINCT FROM "user_id")
      )`);
    await q.query(`
      CREATE TABLE "member_profiles" (
        "id" uuid NOT NULL DEFAULT gen_uuid_v7(),
        "organization_id" uuid NOT NULL CONSTRAINT "fk_member_profiles_organization_id" REFERENCES "organizations" ("id") ON DELETE CASCADE,
        "user_id" uuid NOT NULL CONSTRAINT "fk_member_profiles_user_id" REFERENCES "users" ("id") ON DELETE CASCADE,
        "employee_id" character varying(50),
        "manager_user_id" uuid CONSTRAINT "fk_member_profiles_manager_user_id" REFERENCES "users" ("id") ON DELETE SET NULL,
        "department" character varying(100),
        "employment_start" date,
        "employment_end" date,
        "private_notes" character varying(2000),
        "created_at" timestamptz NOT NULL DEFAULT now(),
        "updated_at" timestamptz NOT NULL DEFAULT now(),
        "version" integer NOT NULL DEFAULT 1,
        CONSTRAINT "pk_member_profiles" PRIMARY KEY ("id"),
        CONSTRAINT "ck_member_profiles_employment_dates" CHECK ("employment_end" IS NULL OR "employment_start" IS NULL OR "employment_end" >= "employment_start"),
        CONSTRAINT "ck_member_profiles_manager_not_self" CHECK ("manager_user_id" IS DISTINCT FROM "user_id")
      )`);
    await q.query(
      `CREATE UNIQUE INDEX "uq_member_profiles_user" ON "member_profiles" ("organization_id", "user_id")`,
    );
    await q.query(
      `CREATE UNIQUE INDEX "uq_member_profiles_employee_id" ON "member_profiles" ("organization_id", lower("employee_id")) WHERE "employee_id" IS NOT NULL`,
    );
    await q.query(
      `CREATE INDEX "ix_member_profiles_manager" ON "member_profiles" ("organization_id", "manager_user_id")`,
    );
    await q.query(`ALTER TABLE "member_profiles" ENABLE ROW LEVEL SECURITY`);
    await q.query(
      `CREATE POLICY "tenant_isolation" ON "member_profiles" TO alees_tenant USING (${POLICY}) WITH CHECK (${POLICY})`,
    );
    await q.query(
      `GRANT SELECT, INSERT, UPDATE, DELETE ON "user_profiles", "member_profiles" TO alees_tenant`,
    );
    await q.query(
      `CREATE INDEX "ix_audit_logs_entity_timeline" ON "audit_logs" ("organization_id", "entity_type", "entity_id", "created_at" DESC, "id" DESC)`,
    );
    await q.query(
      `CREATE INDEX "ix_attachments_entity_timeline" ON "attachments" ("organization_id", "entity_type", "entity_id", "created_at" DESC, "id" DESC)`,
    );
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP INDEX "ix_attachments_entity_timeline"`);
    await q.query(`DROP INDEX "ix_audit_logs_entity_timeline"`);
    await q.query(`DROP TABLE "member_profiles"`);
    await q.query(`DROP TABLE "user_profiles"`);
  }
}
