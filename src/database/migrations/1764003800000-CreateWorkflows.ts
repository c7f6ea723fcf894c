import { MigrationInterface, QueryRunner } from 'typeorm';

const POLICY = `organization_id = current_setting('app.current_org', true)::uuid`;

/** Tenant tables, in creation order (dropped in reverse). */
const TABLES = [
  'workflows',
  'workflow_states',
  'workflow_transitions',
  'workflow_instances',
  'workflow_history',
  'workflow_approvals',
];

/**
 * Configurable workflows and approvals (SPEC-P3 §7): definitions (`workflows` with their states and
 * transitions, at most one active per (organization, entity type): `uq_workflows_active`), one
 * instance per record, an append-only history, and approvals (one per approver, transition and
 * entry into the state). Every table is a tenant table (`organization_id` + `tenant_isolation`).
 * `workflow_history` is append-only for tenants (SELECT, INSERT; rows go with their instance).
 */
export class CreateWorkflows1764003800000 implements MigrationInterface {
  name = 'CreateWorkflows1764003800000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE "workflows" (
        "id" uuid NOT NULL DEFAULT gen_uuid_v7(),
        "organization_id" uuid NOT NULL CONSTRAINT "fk_workflows_organization_id" REFERENCES "organizations" ("id") ON DELETE CASCADE,
        "entity_type" character varying(50) NOT NULL,
        "name" character varying(100) NOT NULL,
        "revision" integer NOT NULL,
        "status" character varying(10) NOT NULL DEFAULT 'draft',
        "activated_at" timestamptz,
        "created_by" uuid,
        "created_at" timestamptz NOT NULL DEFAULT now(),
        "updated_at" timestamptz NOT NULL DEFAULT now(),
        "version" integer NOT NULL DEFAULT 1,
        CONSTRAINT "pk_workflows" PRIMARY KEY ("id"),
        CONSTRAINT "ck_workflows_status" CHECK ("status" IN ('draft', 'active', 'inactive')),
        CONSTRAINT "ck_workflows_revision" CHECK ("revision" >= 1)
      )`);
    await q.query(
      `CREATE UNIQUE INDEX "uq_workflows_revision" ON "workflows" ("organization_id", "entity_type", "revision")`,
    );
    await q.query(
      `CREATE UNIQUE INDEX "uq_workflows_active" ON "workflows" ("organization_id", "entity_type") WHERE "status" = 'active'`,
    );
    await q.query(`
      CREATE TABLE "workflow_states" (
        "id" uuid NOT NULL DEFAULT gen_uuid_v7(),
        "organization_id" uuid NOT NULL CONSTRAINT "fk_workflow_states_organization_id" REFERENCES "organizations" ("id") ON DELETE CASCADE,
        "workflow_id" uuid NOT NULL CONSTRAINT "fk_workflow_states_workflow_id" REFERENCES "workflows" ("id") ON DELETE CASCADE,
        "code" character varying(50) NOT NULL,
        "is_initial" boolean NOT NULL DEFAULT false,
        "is_final" boolean NOT NULL DEFAULT false,
        "edit_role_ids" uuid array NOT NULL DEFAULT '{}',
        "position" integer NOT NULL DEFAULT 0,
        CONSTRAINT "pk_workflow_states" PRIMARY KEY ("id"),
        CONSTRAINT "ck_workflow_states_code" CHECK ("code" ~ '^[a-z][a-z0-9_]{0,49}$')
      )`);
    await q.query(
      `CREATE UNIQUE INDEX "uq_workflow_states_code" ON "workflow_states" ("workflow_id", "code")`,
    );
    await q.query(`
      CREATE TABLE "workflow_transitions" (
        "id" uuid NOT NULL DEFAULT gen_uuid_v7(),
        "organization_id" uuid NOT NULL CONSTRAINT "fk_workflow_transitions_organization_id" REFERENCES "organizations" ("id") ON DELETE CASCADE,
        "workflow_id" uuid NOT NULL CONSTRAINT "fk_workflow_transitions_workflow_id" REFERENCES "workflows" ("id") ON DELETE CASCADE,
        "action" character varying(50) NOT NULL,
        "from_state_id" uuid NOT NULL CONSTRAINT "fk_workflow_transitions_from_state_id" REFERENCES "workflow_states" ("id") ON DELETE CASCADE,
        "to_state_id" uuid NOT NULL CONSTRAINT "fk_workflow_transitions_to_state_id" REFERENCES "workflow_states" ("id") ON DELETE CASCADE,
        "allowed_role_ids" uuid array NOT NULL DEFAULT '{}',
        "condition" jsonb,
        "require_comment" boolean NOT NULL DEFAULT false,
        "allow_self_approval" boolean NOT NULL DEFAULT true,
        "min_approvals" integer NOT NULL DEFAULT 1,
        "position" integer NOT NULL DEFAULT 0,
        CONSTRAINT "pk_workflow_transitions" PRIMARY KEY ("id"),
        CONSTRAINT "ck_workflow_transitions_action" CHECK ("action" ~ '^[a-z][a-z0-9_]{0,49}$'),
        CONSTRAINT "ck_workflow_transitions_min_approvals" CHECK ("min_approvals" BETWEEN 1 AND 10)
      )`);
    await q.query(
      `CREATE UNIQUE INDEX "uq_workflow_transitions_action" ON "workflow_transitions" ("workflow_id", "from_state_id", "action")`,
    );
    await q.query(`
      CREATE TABLE "workflow_instances" (
        "id" uuid NOT NULL DEFAULT gen_uuid_v7(),
        "organization_id" uuid NOT NULL CONSTRAINT "fk_workflow_instances_organization_id" REFERENCES "organizations" ("id") ON DELETE CASCADE,
        "workflow_id" uuid NOT NULL CONSTRAINT "fk_workflow_instances_workflow_id" REFERENCES "workflows" ("id") ON DELETE RESTRICT,
        "workflow_revision" integer NOT NULL,
        "entity_type" character varying(50) NOT NULL,
        "entity_id" uuid NOT NULL,
        "state_id" uuid NOT NULL CONSTRAINT "fk_workflow_instances_state_id" REFERENCES "workflow_states" ("id") ON DELETE RESTRICT,
        "state_entry" integer NOT NULL DEFAULT 1,
        "started_by" uuid,
        "started_at" timestamptz NOT NULL DEFAULT now(),
        "updated_at" timestamptz NOT NULL DEFAULT now(),
        "version" integer NOT NULL DEFAULT 1,
        CONSTRAINT "pk_workflow_instances" PRIMARY KEY ("id")
      )`);
    await q.query(
      `CREATE UNIQUE INDEX "uq_workflow_instances_target" ON "workflow_instances" ("organization_id", "entity_type", "entity_id")`,
    );
    await q.query(
      `CREATE INDEX "ix_workflow_instances_state" ON "workflow_instances" ("organization_id", "state_id")`,
    );
    await q.query(`
      CREATE TABLE "workflow_history" (
        "id" uuid NOT NULL DEFAULT gen_uuid_v7(),
        "organization_id" uuid NOT NULL CONSTRAINT "fk_workflow_history_organization_id" REFERENCES "organizations" ("id") ON DELETE CASCADE,
        "instance_id" uuid NOT NULL CONSTRAINT "fk_workflow_history_instance_id" REFERENCES "workflow_instances" ("id") ON DELETE CASCADE,
        "action" character varying(50) NOT NULL,
        "from_code" character varying(50) NOT NULL,
        "to_code" character varying(50) NOT NULL,
        "actor_user_id" uuid,
        "actor_api_key_id" uuid,
        "comment" text,
        "at" timestamptz NOT NULL DEFAULT now(),
        CONSTRAINT "pk_workflow_history" PRIMARY KEY ("id")
      )`);
    await q.query(
      `CREATE INDEX "ix_workflow_history_instance" ON "workflow_history" ("organization_id", "instance_id", "at")`,
    );
    await q.query(`
      CREATE TABLE "workflow_approvals" (
        "id" uuid NOT NULL DEFAULT gen_uuid_v7(),
        "organization_id" uuid NOT NULL CONSTRAINT "fk_workflow_approvals_organization_id" REFERENCES "organizations" ("id") ON DELETE CASCADE,
        "instance_id" uuid NOT NULL CONSTRAINT "fk_workflow_approvals_instance_id" REFERENCES "workflow_instances" ("id") ON DELETE CASCADE,
        "transition_id" uuid NOT NULL CONSTRAINT "fk_workflow_approvals_transition_id" REFERENCES "workflow_transitions" ("id") ON DELETE CASCADE,
        "state_entry" integer NOT NULL,
        "approver_user_id" uuid NOT NULL,
        "comment" text,
        "at" timestamptz NOT NULL DEFAULT now(),
        CONSTRAINT "pk_workflow_approvals" PRIMARY KEY ("id")
      )`);
    await q.query(
      `CREATE UNIQUE INDEX "uq_workflow_approvals_approver" ON "workflow_approvals" ("instance_id", "state_entry", "transition_id", "approver_user_id")`,
    );
    for (const table of TABLES) {
      await q.query(`ALTER TABLE "${table}" ENABLE ROW LEVEL SECURITY`);
      await q.query(
        `CREATE POLICY "tenant_isolation" ON "${table}" TO alees_tenant USING (${POLICY}) WITH CHECK (${POLICY})`,
      );
      const grants =
        table === 'workflow_history' ? 'SELECT, INSERT' : 'SELECT, INSERT, UPDATE, DELETE';
      await q.query(`GRANT ${grants} ON "${table}" TO alees_tenant`);
    }
  }

  async down(q: QueryRunner): Promise<void> {
    for (const table of [...TABLES].reverse()) await q.query(`DROP TABLE "${table}"`);
  }
}
