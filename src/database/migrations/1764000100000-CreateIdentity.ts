import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Identity, organizations and access (SPEC §5): users, the organization tree, memberships, RBAC,
 * refresh-token families, password resets, TOTP recovery codes, API keys and the audit log.
 * Tenant-owned tables carry `organization_id`; the audit log is append-only (trigger) and chained.
 */
export class CreateIdentity1764000100000 implements MigrationInterface {
  name = 'CreateIdentity1764000100000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE "users" (
        "id" uuid NOT NULL DEFAULT gen_uuid_v7(),
        "email" text NOT NULL,
        "password_hash" text NOT NULL,
        "full_name" text NOT NULL DEFAULT '',
        "is_active" boolean NOT NULL DEFAULT true,
        "is_superuser" boolean NOT NULL DEFAULT false,
        "language" text NOT NULL DEFAULT 'en',
        "timezone" text NOT NULL DEFAULT 'UTC',
        "failed_login_count" integer NOT NULL DEFAULT 0,
        "locked_until" TIMESTAMP WITH TIME ZONE,
        "totp_secret" text,
        "totp_enabled" boolean NOT NULL DEFAULT false,
        "password_changed_at" TIMESTAMP WITH TIME ZONE,
        "last_login_at" TIMESTAMP WITH TIME ZONE,
        "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(),
        "updated_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(),
        "version" integer NOT NULL DEFAULT 1,
        CONSTRAINT "pk_users" PRIMARY KEY ("id")
      )`);
    await q.query(`CREATE UNIQUE INDEX "uq_users_email" ON "users" (lower("email"))`);

    await q.query(`
      CREATE TABLE "organization_types" (
        "code" text NOT NULL,
        "name" text NOT NULL,
        "description" text NOT NULL DEFAULT '',
        "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(),
        CONSTRAINT "pk_organization_types" PRIMARY KEY ("code")
      )`);

    await q.query(`
      CREATE TABLE "organizations" (
        "id" uuid NOT NULL DEFAULT gen_uuid_v7(),
        "code" text NOT NULL,
        "name" text NOT NULL,
        "type_code" text NOT NULL,
        "parent_id" uuid,
        "path" text NOT NULL,
        "depth" integer NOT NULL DEFAULT 0,
        "status" text NOT NULL DEFAULT 'active',
        "currency_code" character(3) NOT NULL DEFAULT 'USD',
        "timezone" text NOT NULL DEFAULT 'UTC',
        "archived_at" TIMESTAMP WITH TIME ZONE,
        "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(),
        "updated_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(),
        "version" integer NOT NULL DEFAULT 1,
        CONSTRAINT "pk_organizations" PRIMARY KEY ("id"),
        CONSTRAINT "ck_organizations_status" CHECK ("status" IN ('active', 'archived')),
        CONSTRAINT "fk_organizations_type_code" FOREIGN KEY ("type_code") REFERENCES "organization_types"("code"),
        CONSTRAINT "fk_organizations_parent_id" FOREIGN KEY ("parent_id") REFERENCES "organizations"("id")
      )`);
    await q.query(`CREATE UNIQUE INDEX "uq_organizations_code" ON "organizations" (lower("code"))`);
    await q.query(`CREATE INDEX "ix_organizations_parent_id" ON "organizations" ("parent_id")`);
    await q.query(
      `CREATE INDEX "ix_organizations_path" ON "organizations" ("path" text_pattern_ops)`,
    );

    await q.query(`
      CREATE TABLE "permissions" (
        "code" text NOT NULL,
        "description" text NOT NULL DEFAULT '',
        CONSTRAINT "pk_permissions" PRIMARY KEY ("code")
      )`);

    await q.query(`
      CREATE TABLE "roles" (
        "id" uuid NOT NULL DEFAULT gen_uuid_v7(),
        "organization_id" uuid,
        "name" text NOT NULL,
        "description" text NOT NULL DEFAULT '',
        "is_system" boolean NOT NULL DEFAULT false,
        "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(),
        "updated_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(),
        "version" integer NOT NULL DEFAULT 1,
        CONSTRAINT "pk_roles" PRIMARY KEY ("id"),
        CONSTRAINT "fk_roles_organization_id" FOREIGN KEY ("organization_id") REFERENCES "organizations"("id"),
        CONSTRAINT "ck_roles_system_scope" CHECK (("is_system" AND "organization_id" IS NULL) OR (NOT "is_system" AND "organization_id" IS NOT NULL))
      )`);
    await q.query(
      `CREATE UNIQUE INDEX "uq_roles_name" ON "roles" (COALESCE("organization_id", '00000000-0000-0000-0000-000000000000'::uuid), lower("name"))`,
    );

    await q.query(`
      CREATE TABLE "role_permissions" (
        "role_id" uuid NOT NULL,
        "permission_code" text NOT NULL,
        CONSTRAINT "pk_role_permissions" PRIMARY KEY ("role_id", "permission_code"),
        CONSTRAINT "fk_role_permissions_role_id" FOREIGN KEY ("role_id") REFERENCES "roles"("id") ON DELETE CASCADE,
        CONSTRAINT "fk_role_permissions_permission_code" FOREIGN KEY ("permission_code") REFERENCES "permissions"("code") ON DELETE CASCADE
      )`);

    await q.query(`
      CREATE TABLE "memberships" (
        "id" uuid NOT NULL DEFAULT gen_uuid_v7(),
        "organization_id" uuid NOT NULL,
        "user_id" uuid NOT NULL,
        "applies_to_descendants" boolean NOT NULL DEFAULT false,
        "is_default" boolean NOT NULL DEFAULT false,
        "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(),
        "updated_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(),
        "version" integer NOT NULL DEFAULT 1,
        CONSTRAINT "pk_memberships" PRIMARY KEY ("id"),
        CONSTRAINT "fk_memberships_organization_id" FOREIGN KEY ("organization_id") REFERENCES "organizations"("id"),
        CONSTRAINT "fk_memberships_user_id" FOREIGN KEY ("user_id") REFERENCES "users"("id") ON DELETE CASCADE
      )`);
    await q.query(
      `CREATE UNIQUE INDEX "uq_memberships_organization_user" ON "memberships" ("organization_id", "user_id")`,
    );
    await q.query(`CREATE INDEX "ix_memberships_user_id" ON "memberships" ("user_id")`);
    await q.query(
      `CREATE UNIQUE INDEX "uq_memberships_default" ON "memberships" ("user_id") WHERE "is_default"`,
    );

    await q.query(`
      CREATE TABLE "membership_roles" (
        "membership_id" uuid NOT NULL,
        "role_id" uuid NOT NULL,
        CONSTRAINT "pk_membership_roles" PRIMARY KEY ("membership_id", "role_id"),
        CONSTRAINT "fk_membership_roles_membership_id" FOREIGN KEY ("membership_id") REFERENCES "memberships"("id") ON DELETE CASCADE,
        CONSTRAINT "fk_membership_roles_role_id" FOREIGN KEY ("role_id") REFERENCES "roles"("id") ON DELETE CASCADE
      )`);

    await q.query(`
      CREATE TABLE "refresh_tokens" (
        "id" uuid NOT NULL,
        "user_id" uuid NOT NULL,
        "family_id" uuid NOT NULL,
        "expires_at" TIMESTAMP WITH TIME ZONE NOT NULL,
        "used_at" TIMESTAMP WITH TIME ZONE,
        "revoked_at" TIMESTAMP WITH TIME ZONE,
        "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(),
        CONSTRAINT "pk_refresh_tokens" PRIMARY KEY ("id"),
        CONSTRAINT "fk_refresh_tokens_user_id" FOREIGN KEY ("user_id") REFERENCES "users"("id") ON DELETE CASCADE
      )`);
    await q.query(`CREATE INDEX "ix_refresh_tokens_family_id" ON "refresh_tokens" ("family_id")`);
    await q.query(`CREATE INDEX "ix_refresh_tokens_user_id" ON "refresh_tokens" ("user_id")`);

    await q.query(`
      CREATE TABLE "password_reset_tokens" (
        "id" uuid NOT NULL DEFAULT gen_uuid_v7(),
        "user_id" uuid NOT NULL,
        "token_hash" text NOT NULL,
        "expires_at" TIMESTAMP WITH TIME ZONE NOT NULL,
        "used_at" TIMESTAMP WITH TIME ZONE,
        "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(),
        CONSTRAINT "pk_password_reset_tokens" PRIMARY KEY ("id"),
        CONSTRAINT "fk_password_reset_tokens_user_id" FOREIGN KEY ("user_id") REFERENCES "users"("id") ON DELETE CASCADE
      )`);
    await q.query(
      `CREATE UNIQUE INDEX "uq_password_reset_tokens_token_hash" ON "password_reset_tokens" ("token_hash")`,
    );

    await q.query(`
      CREATE TABLE "recovery_codes" (
        "id" uuid NOT NULL DEFAULT gen_uuid_v7(),
        "user_id" uuid NOT NULL,
        "code_hash" text NOT NULL,
        "used_at" TIMESTAMP WITH TIME ZONE,
        "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(),
        CONSTRAINT "pk_recovery_codes" PRIMARY KEY ("id"),
        CONSTRAINT "fk_recovery_codes_user_id" FOREIGN KEY ("user_id") REFERENCES "users"("id") ON DELETE CASCADE
      )`);
    await q.query(`CREATE INDEX "ix_recovery_codes_user_id" ON "recovery_codes" ("user_id")`);

    await q.query(`
      CREATE TABLE "api_keys" (
        "id" uuid NOT NULL DEFAULT gen_uuid_v7(),
        "organization_id" uuid NOT NULL,
        "role_id" uuid NOT NULL,
        "name" text NOT NULL,
        "prefix" text NOT NULL,
        "key_hash" text NOT NULL,
        "created_by_user_id" uuid,
        "last_used_at" TIMESTAMP WITH TIME ZONE,
        "revoked_at" TIMESTAMP WITH TIME ZONE,
        "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(),
        "updated_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(),
        "version" integer NOT NULL DEFAULT 1,
        CONSTRAINT "pk_api_keys" PRIMARY KEY ("id"),
        CONSTRAINT "fk_api_keys_organization_id" FOREIGN KEY ("organization_id") REFERENCES "organizations"("id"),
        CONSTRAINT "fk_api_keys_role_id" FOREIGN KEY ("role_id") REFERENCES "roles"("id")
      )`);
    await q.query(`CREATE UNIQUE INDEX "uq_api_keys_key_hash" ON "api_keys" ("key_hash")`);
    await q.query(`CREATE INDEX "ix_api_keys_organization_id" ON "api_keys" ("organization_id")`);

    await q.query(`
      CREATE TABLE "audit_logs" (
        "id" uuid NOT NULL DEFAULT gen_uuid_v7(),
        "organization_id" uuid,
        "chain_key" text NOT NULL,
        "seq" bigint NOT NULL,
        "actor_user_id" uuid,
        "actor_api_key_id" uuid,
        "action" text NOT NULL,
        "entity_type" text NOT NULL,
        "entity_id" text,
        "changes" jsonb NOT NULL DEFAULT '{}',
        "request_id" text,
        "ip" text,
        "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(),
        "prev_hash" text NOT NULL,
        "hash" text NOT NULL,
        CONSTRAINT "pk_audit_logs" PRIMARY KEY ("id")
      )`);
    await q.query(
      `CREATE UNIQUE INDEX "uq_audit_logs_chain_seq" ON "audit_logs" ("chain_key", "seq")`,
    );
    await q.query(
      `CREATE INDEX "ix_audit_logs_organization_created" ON "audit_logs" ("organization_id", "created_at", "id")`,
    );
    // Append-only: history that can be rewritten is not an audit log.
    await q.query(`
      CREATE FUNCTION audit_logs_refuse_change() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        RAISE EXCEPTION 'audit_logs is append-only (% refused)', TG_OP USING ERRCODE = 'insufficient_privilege';
      END $$`);
    await q.query(`
      CREATE TRIGGER "trg_audit_logs_append_only" BEFORE UPDATE OR DELETE ON "audit_logs"
      FOR EACH ROW EXECUTE FUNCTION audit_logs_refuse_change()`);
    await q.query(`
      CREATE TRIGGER "trg_audit_logs_no_truncate" BEFORE TRUNCATE ON "audit_logs"
      FOR EACH STATEMENT EXECUTE FUNCTION audit_logs_refuse_change()`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE "audit_logs"`);
    await q.query(`DROP FUNCTION audit_logs_refuse_change()`);
    for (const table of [
      'api_keys',
      'recovery_codes',
      'password_reset_tokens',
      'refresh_tokens',
      'membership_roles',
      'memberships',
      'role_permissions',
      'roles',
      'permissions',
      'organizations',
      'organization_types',
      'users',
    ]) {
      await q.query(`DROP TABLE "${table}"`);
    }
  }
}
