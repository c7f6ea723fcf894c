import { MigrationInterface, QueryRunner } from 'typeorm';

/** Recurring tasks per organization, run by the worker that holds the scheduler lock. */
export class CreateSchedules1764000500000 implements MigrationInterface {
  name = 'CreateSchedules1764000500000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE "schedules" (
        "id" uuid NOT NULL DEFAULT gen_uuid_v7(),
        "organization_id" uuid NOT NULL CONSTRAINT "fk_schedules_organization_id" REFERENCES "organizations" ("id") ON DELETE CASCADE,
        "name" character varying(100) NOT NULL,
        "task_name" character varying(100) NOT NULL,
        "payload" jsonb NOT NULL DEFAULT '{}',
        "cron" character varying(100),
        "interval_seconds" integer,
        "enabled" boolean NOT NULL DEFAULT true,
        "last_run_at" timestamptz,
        "last_task_id" text,
        "next_run_at" timestamptz,
        "created_at" timestamptz NOT NULL DEFAULT now(),
        "updated_at" timestamptz NOT NULL DEFAULT now(),
        "version" integer NOT NULL DEFAULT 1,
        CONSTRAINT "pk_schedules" PRIMARY KEY ("id"),
        CONSTRAINT "ck_schedules_one_rule" CHECK (("cron" IS NULL) <> ("interval_seconds" IS NULL)),
        CONSTRAINT "ck_schedules_interval" CHECK ("interval_seconds" > 0)
      )`);
    await q.query(`CREATE INDEX "ix_schedules_due" ON "schedules" ("next_run_at") WHERE "enabled"`);
    await q.query(
      `CREATE INDEX "ix_schedules_organization_id" ON "schedules" ("organization_id", "name")`,
    );
    await q.query(`ALTER TABLE "schedules" ENABLE ROW LEVEL SECURITY`);
    await q.query(
      `CREATE POLICY "tenant_isolation" ON "schedules" TO alees_tenant
         USING (organization_id = current_setting('app.current_org', true)::uuid)
         WITH CHECK (organization_id = current_setting('app.current_org', true)::uuid)`,
    );
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE "schedules"`);
  }
}
