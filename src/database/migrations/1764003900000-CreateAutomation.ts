import { MigrationInterface, QueryRunner } from 'typeorm';

const POLICY = `organization_id = current_setting('app.current_org', true)::uuid`;

/**
 * Automation rules and their runs (SPEC-P3 §8, issue 19). A rule fires on committed domain events
 * of one entity type (or manually), checks its condition (the filter grammar) against the record,
 * then runs its ordered actions as `run_as_user_id`. A run is kept per (rule, event) at most once
 * (`uq_automation_runs_event`) with each step's outcome; runs are kept 90 days
 * (`ix_automation_runs_created`, the retention sweep).
 */
export class CreateAutomation1764003900000 implements MigrationInterface {
  name = 'CreateAutomation1764003900000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE "automation_rules" (
        "id" uuid NOT NULL DEFAULT gen_uuid_v7(),
        "organization_id" uuid NOT NULL CONSTRAINT "fk_automation_rules_organization_id" REFERENCES "organizations" ("id") ON DELETE CASCADE,
        "name" character varying(100) NOT NULL,
        "description" character varying(1000),
        "entity_type" character varying(50) NOT NULL,
        "trigger" jsonb NOT NULL,
        "condition" jsonb,
        "actions" jsonb NOT NULL,
        "run_as_user_id" uuid NOT NULL CONSTRAINT "fk_automation_rules_run_as_user_id" REFERENCES "users" ("id"),
        "created_by_user_id" uuid CONSTRAINT "fk_automation_rules_created_by_user_id" REFERENCES "users" ("id") ON DELETE SET NULL,
        "enabled" boolean NOT NULL DEFAULT true,
        "delay_seconds" integer NOT NULL DEFAULT 0,
        "consecutive_failures" integer NOT NULL DEFAULT 0,
        "disabled_reason" character varying(200),
        "created_at" timestamptz NOT NULL DEFAULT now(),
        "updated_at" timestamptz NOT NULL DEFAULT now(),
        "version" integer NOT NULL DEFAULT 1,
        CONSTRAINT "pk_automation_rules" PRIMARY KEY ("id"),
        CONSTRAINT "ck_automation_rules_delay" CHECK ("delay_seconds" BETWEEN 0 AND 86400),
        CONSTRAINT "ck_automation_rules_name" CHECK (length("name") BETWEEN 1 AND 100)
      )`);
    await q.query(
      `CREATE INDEX "ix_automation_rules_entity_type" ON "automation_rules" ("organization_id", "entity_type")`,
    );
    await q.query(`
      CREATE TABLE "automation_runs" (
        "id" uuid NOT NULL DEFAULT gen_uuid_v7(),
        "organization_id" uuid NOT NULL CONSTRAINT "fk_automation_runs_organization_id" REFERENCES "organizations" ("id") ON DELETE CASCADE,
        "rule_id" uuid NOT NULL CONSTRAINT "fk_automation_runs_rule_id" REFERENCES "automation_rules" ("id") ON DELETE CASCADE,
        "rule_version" integer NOT NULL,
        "event_id" uuid NOT NULL,
        "trigger" jsonb NOT NULL,
        "entity_type" character varying(50),
        "entity_id" uuid,
        "status" character varying(20) NOT NULL,
        "steps" jsonb NOT NULL DEFAULT '[]',
        "causation_depth" integer NOT NULL DEFAULT 0,
        "attempts" integer NOT NULL DEFAULT 0,
        "error" jsonb,
        "created_at" timestamptz NOT NULL DEFAULT now(),
        "finished_at" timestamptz,
        CONSTRAINT "pk_automation_runs" PRIMARY KEY ("id"),
        CONSTRAINT "uq_automation_runs_event" UNIQUE ("rule_id", "event_id"),
        CONSTRAINT "ck_automation_runs_status" CHECK ("status" IN ('queued', 'running', 'succeeded', 'failed', 'skipped', 'loop_prevented'))
      )`);
    await q.query(
      `CREATE INDEX "ix_automation_runs_rule" ON "automation_runs" ("organization_id", "rule_id", "created_at")`,
    );
    await q.query(
      `CREATE INDEX "ix_automation_runs_org_created" ON "automation_runs" ("organization_id", "created_at")`,
    );
    await q.query(`CREATE INDEX "ix_automation_runs_created" ON "automation_runs" ("created_at")`);
    for (const table of ['automation_rules', 'automation_runs']) {
      await q.query(`ALTER TABLE "${table}" ENABLE ROW LEVEL SECURITY`);
      await q.query(
        `CREATE POLICY "tenant_isolation" ON "${table}" TO alees_tenant USING (${POLICY}) WITH CHECK (${POLICY})`,
      );
      await q.query(`GRANT SELECT, INSERT, UPDATE, DELETE ON "${table}" TO alees_tenant`);
    }
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE "automation_runs"`);
    await q.query(`DROP TABLE "automation_rules"`);
  }
}
