import { MigrationInterface, QueryRunner } from 'typeorm';

const POLICY = `organization_id = current_setting('app.current_org', true)::uuid`;

/**
 * Issue 13: people join organizations through invitations (single-use token, stored as SHA-256,
 * 7 days), and an organization can suspend a membership without touching the person's account.
 */
export class CreateInvitations1764001000000 implements MigrationInterface {
  name = 'CreateInvitations1764001000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE "memberships" ADD "suspended_at" timestamptz`);
    await q.query(`
      CREATE TABLE "invitations" (
        "id" uuid NOT NULL DEFAULT gen_uuid_v7(),
        "organization_id" uuid NOT NULL CONSTRAINT "fk_invitations_organization_id" REFERENCES "organizations" ("id") ON DELETE CASCADE,
        "email" character varying(254) NOT NULL,
        "role_ids" uuid array NOT NULL,
        "applies_to_descendants" boolean NOT NULL DEFAULT false,
        "token_hash" character varying(64) NOT NULL,
        "expires_at" timestamptz NOT NULL,
        "invited_by" uuid CONSTRAINT "fk_invitations_invited_by" REFERENCES "users" ("id") ON DELETE SET NULL,
        "accepted_at" timestamptz,
        "accepted_by" uuid CONSTRAINT "fk_invitations_accepted_by" REFERENCES "users" ("id") ON DELETE SET NULL,
        "revoked_at" timestamptz,
        "created_at" timestamptz NOT NULL DEFAULT now(),
        "updated_at" timestamptz NOT NULL DEFAULT now(),
        "version" integer NOT NULL DEFAULT 1,
        CONSTRAINT "pk_invitations" PRIMARY KEY ("id")
      )`);
    await q.query(
      `CREATE UNIQUE INDEX "uq_invitations_token_hash" ON "invitations" ("token_hash")`,
    );
    await q.query(
      `CREATE INDEX "ix_invitations_organization_id" ON "invitations" ("organization_id", "id")`,
    );
    await q.query(`ALTER TABLE "invitations" ENABLE ROW LEVEL SECURITY`);
    await q.query(
      `CREATE POLICY "tenant_isolation" ON "invitations" TO alees_tenant USING (${POLICY}) WITH CHECK (${POLICY})`,
    );
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE "invitations"`);
    await q.query(`ALTER TABLE "memberships" DROP COLUMN "suspended_at"`);
  }
}
