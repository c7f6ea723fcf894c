import { MigrationInterface, QueryRunner } from 'typeorm';

const POLICY = `organization_id = current_setting('app.current_org', true)::uuid`;
const TABLES = [
  'notifications',
  'notification_deliveries',
  'notification_preferences',
  'notification_counters',
  'followers',
];

/**
 * Notifications (SPEC-P3 §4): in-app rows, their e-mail deliveries, per-type/channel preferences
 * and a maintained unread counter per (organization, user); followers of targets (SPEC-P3 §3).
 */
export class CreateNotificationsAndFollowers1764002100000 implements MigrationInterface {
  name = 'CreateNotificationsAndFollowers1764002100000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE "notifications" (
        "id" uuid NOT NULL DEFAULT gen_uuid_v7(),
        "organization_id" uuid NOT NULL CONSTRAINT "fk_notifications_organization_id" REFERENCES "organizations" ("id") ON DELETE CASCADE,
        "recipient_user_id" uuid NOT NULL CONSTRAINT "fk_notifications_recipient_user_id" REFERENCES "users" ("id") ON DELETE CASCADE,
        "type" character varying(64) NOT NULL,
        "level" character varying(16) NOT NULL DEFAULT 'info',
        "title" character varying(200) NOT NULL,
        "body" text,
        "actor_user_id" uuid CONSTRAINT "fk_notifications_actor_user_id" REFERENCES "users" ("id") ON DELETE SET NULL,
        "entity_type" character varying(64),
        "entity_id" character varying(64),
        "action_path" character varying(500),
        "data" jsonb NOT NULL DEFAULT '{}',
        "dedupe_key" character varying(200),
        "read_at" timestamptz,
        "archived_at" timestamptz,
        "created_at" timestamptz NOT NULL DEFAULT now(),
        CONSTRAINT "pk_notifications" PRIMARY KEY ("id"),
        CONSTRAINT "ck_notifications_level" CHECK ("level" IN ('info', 'success', 'warning', 'error')),
        CONSTRAINT "ck_notifications_body" CHECK (length("body") <= 4000)
      )`);
    // Cursor paging of one person's notifications, newest first.
    await q.query(
      `CREATE INDEX "ix_notifications_recipient" ON "notifications" ("organization_id", "recipient_user_id", "created_at" DESC, "id" DESC) WHERE "archived_at" IS NULL`,
    );
    await q.query(
      `CREATE INDEX "ix_notifications_unread" ON "notifications" ("organization_id", "recipient_user_id", "created_at" DESC, "id" DESC) WHERE "read_at" IS NULL AND "archived_at" IS NULL`,
    );
    await q.query(
      `CREATE UNIQUE INDEX "uq_notifications_dedupe_key" ON "notifications" ("organization_id", "recipient_user_id", "dedupe_key") WHERE "dedupe_key" IS NOT NULL`,
    );
    await q.query(`
      CREATE TABLE "notification_deliveries" (
        "id" uuid NOT NULL DEFAULT gen_uuid_v7(),
        "organization_id" uuid NOT NULL CONSTRAINT "fk_notification_deliveries_organization_id" REFERENCES "organizations" ("id") ON DELETE CASCADE,
        "notification_id" uuid NOT NULL CONSTRAINT "fk_notification_deliveries_notification_id" REFERENCES "notifications" ("id") ON DELETE CASCADE,
        "recipient_user_id" uuid NOT NULL,
        "channel" character varying(16) NOT NULL,
        "status" character varying(16) NOT NULL,
        "email_mode" character varying(16),
        "group_key" character varying(200),
        "attempts" integer NOT NULL DEFAULT 0,
        "last_error" text,
        "created_at" timestamptz NOT NULL DEFAULT now(),
        "sent_at" timestamptz,
        CONSTRAINT "pk_notification_deliveries" PRIMARY KEY ("id"),
        CONSTRAINT "uq_notification_deliveries_channel" UNIQUE ("notification_id", "channel"),
        CONSTRAINT "ck_notification_deliveries_channel" CHECK ("channel" IN ('email', 'realtime')),
        CONSTRAINT "ck_notification_deliveries_status" CHECK ("status" IN ('queued', 'sent', 'failed', 'skipped')),
        CONSTRAINT "ck_notification_deliveries_email_mode" CHECK ("email_mode" IN ('immediate', 'digest_daily'))
      )`);
    // The mail sweep: queued e-mails, grouped per recipient and target window.
    await q.query(
      `CREATE INDEX "ix_notification_deliveries_queued" ON "notification_deliveries" ("created_at") WHERE "status" = 'queued'`,
    );
    await q.query(`
      CREATE TABLE "notification_preferences" (
        "organization_id" uuid NOT NULL CONSTRAINT "fk_notification_preferences_organization_id" REFERENCES "organizations" ("id") ON DELETE CASCADE,
        "user_id" uuid NOT NULL CONSTRAINT "fk_notification_preferences_user_id" REFERENCES "users" ("id") ON DELETE CASCADE,
        "type" character varying(64) NOT NULL,
        "channel" character varying(16) NOT NULL,
        "enabled" boolean NOT NULL,
        "email_mode" character varying(16),
        "updated_at" timestamptz NOT NULL DEFAULT now(),
        CONSTRAINT "pk_notification_preferences" PRIMARY KEY ("organization_id", "user_id", "type", "channel"),
        CONSTRAINT "ck_notification_preferences_channel" CHECK ("channel" IN ('email', 'realtime')),
        CONSTRAINT "ck_notification_preferences_email_mode" CHECK ("email_mode" IN ('immediate', 'digest_daily', 'off'))
      )`);
    await q.query(`
      CREATE TABLE "notification_counters" (
        "organization_id" uuid NOT NULL CONSTRAINT "fk_notification_counters_organization_id" REFERENCES "organizations" ("id") ON DELETE CASCADE,
        "user_id" uuid NOT NULL CONSTRAINT "fk_notification_counters_user_id" REFERENCES "users" ("id") ON DELETE CASCADE,
        "unread" integer NOT NULL DEFAULT 0,
        CONSTRAINT "pk_notification_counters" PRIMARY KEY ("organization_id", "user_id"),
        CONSTRAINT "ck_notification_counters_unread" CHECK ("unread" >= 0)
      )`);
    await q.query(`
      CREATE TABLE "followers" (
        "organization_id" uuid NOT NULL CONSTRAINT "fk_followers_organization_id" REFERENCES "organizations" ("id") ON DELETE CASCADE,
        "entity_type" character varying(64) NOT NULL,
        "entity_id" character varying(64) NOT NULL,
        "user_id" uuid NOT NULL CONSTRAINT "fk_followers_user_id" REFERENCES "users" ("id") ON DELETE CASCADE,
        "reason" character varying(16) NOT NULL,
        "created_at" timestamptz NOT NULL DEFAULT now(),
        CONSTRAINT "pk_followers" PRIMARY KEY ("organization_id", "entity_type", "entity_id", "user_id"),
        CONSTRAINT "ck_followers_reason" CHECK ("reason" IN ('manual', 'author', 'mentioned', 'assigned'))
      )`);
    await q.query(
      `CREATE INDEX "ix_followers_user_id" ON "followers" ("organization_id", "user_id")`,
    );
    for (const table of TABLES) {
      await q.query(`GRANT SELECT, INSERT, UPDATE, DELETE ON "${table}" TO alees_tenant`);
      await q.query(`ALTER TABLE "${table}" ENABLE ROW LEVEL SECURITY`);
      await q.query(
        `CREATE POLICY "tenant_isolation" ON "${table}" TO alees_tenant USING (${POLICY}) WITH CHECK (${POLICY})`,
      );
    }
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE "followers"`);
    await q.query(`DROP TABLE "notification_counters"`);
    await q.query(`DROP TABLE "notification_preferences"`);
    await q.query(`DROP TABLE "notification_deliveries"`);
    await q.query(`DROP TABLE "notifications"`);
  }
}
