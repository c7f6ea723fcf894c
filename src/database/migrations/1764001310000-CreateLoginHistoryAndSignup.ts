import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Login history per person (`login_events`), the client of each refresh token (sessions list) and
 * pending self-service sign-ups (`signup_requests`, tokens stored as SHA-256 only).
 */
export class CreateLoginHistoryAndSignup1764001310000 implements MigrationInterface {
  name = 'CreateLoginHistoryAndSignup1764001310000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE "refresh_tokens" ADD "ip" text, ADD "user_agent" text`);
    await q.query(`
      CREATE TABLE "login_events" (
        "id" uuid NOT NULL DEFAULT gen_uuid_v7(),
        "user_id" uuid NOT NULL CONSTRAINT "fk_login_events_user_id" REFERENCES "users" ("id") ON DELETE CASCADE,
        "outcome" character varying(16) NOT NULL,
        "reason" character varying(64),
        "ip" text,
        "user_agent" text,
        "created_at" timestamptz NOT NULL DEFAULT now(),
        CONSTRAINT "pk_login_events" PRIMARY KEY ("id"),
        CONSTRAINT "ck_login_events_outcome" CHECK ("outcome" IN ('success', 'failure', 'lockout'))
      )`);
    await q.query(`CREATE INDEX "ix_login_events_user_id" ON "login_events" ("user_id", "id")`);
    await q.query(`
      CREATE TABLE "signup_requests" (
        "id" uuid NOT NULL DEFAULT gen_uuid_v7(),
        "email" character varying(254) NOT NULL,
        "full_name" character varying(200) NOT NULL,
        "organization_name" character varying(200) NOT NULL,
        "organization_code" character varying(50) NOT NULL,
        "password_hash" text NOT NULL,
        "language" character varying(8) NOT NULL DEFAULT 'en',
        "token_hash" text NOT NULL,
        "expires_at" timestamptz NOT NULL,
        "used_at" timestamptz,
        "created_at" timestamptz NOT NULL DEFAULT now(),
        CONSTRAINT "pk_signup_requests" PRIMARY KEY ("id")
      )`);
    await q.query(
      `CREATE UNIQUE INDEX "uq_signup_requests_token_hash" ON "signup_requests" ("token_hash")`,
    );
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE "signup_requests"`);
    await q.query(`DROP TABLE "login_events"`);
    await q.query(`ALTER TABLE "refresh_tokens" DROP COLUMN "user_agent", DROP COLUMN "ip"`);
  }
}
