import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Issue 17's target "unread count and notification list: O(1) count" (bench: a person with 10,000
 * notifications). `notification_counters.live` is the maintained number of live (not archived)
 * notifications, so `GET /notifications` takes its total from the counter row instead of a
 * `count(*)` over the person's rows (21 ms at 10,000). The list pages by `id` (uuid v7), so its two
 * partial indexes are keyed by `id` and a page is a range scan of that person's rows, instead of a
 * backward scan of the primary key filtering out everyone else's.
 */
export class AddNotificationLiveCounter1764002950000 implements MigrationInterface {
  name = 'AddNotificationLiveCounter1764002950000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(
      `ALTER TABLE "notification_counters" ADD COLUMN "live" integer NOT NULL DEFAULT 0`,
    );
    await q.query(`
      INSERT INTO "notification_counters" AS c ("organization_id", "user_id", "unread", "live")
      SELECT "organization_id", "recipient_user_id",
             count(*) FILTER (WHERE "read_at" IS NULL), count(*)
        FROM "notifications" WHERE "archived_at" IS NULL
       GROUP BY "organization_id", "recipient_user_id"
      ON CONFLICT ("organization_id", "user_id") DO UPDATE SET "live" = EXCLUDED."live"`);
    await q.query(
      `ALTER TABLE "notification_counters" ADD CONSTRAINT "ck_notification_counters_live" CHECK ("live" >= 0)`,
    );
    await q.query(`DROP INDEX "ix_notifications_recipient"`);
    await q.query(`DROP INDEX "ix_notifications_unread"`);
    await q.query(
      `CREATE INDEX "ix_notifications_recipient" ON "notifications" ("organization_id", "recipient_user_id", "id" DESC) WHERE "archived_at" IS NULL`,
    );
    await q.query(
      `CREATE INDEX "ix_notifications_unread" ON "notifications" ("organization_id", "recipient_user_id", "id" DESC) WHERE "read_at" IS NULL AND "archived_at" IS NULL`,
    );
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP INDEX "ix_notifications_unread"`);
    await q.query(`DROP INDEX "ix_notifications_recipient"`);
    await q.query(
      `CREATE INDEX "ix_notifications_recipient" ON "notifications" ("organization_id", "recipient_user_id", "created_at" DESC, "id" DESC) WHERE "archived_at" IS NULL`,
    );
    await q.query(
      `CREATE INDEX "ix_notifications_unread" ON "notifications" ("organization_id", "recipient_user_id", "created_at" DESC, "id" DESC) WHERE "read_at" IS NULL AND "archived_at" IS NULL`,
    );
    await q.query(
      `ALTER TABLE "notification_counters" DROP CONSTRAINT "ck_notification_counters_live"`,
    );
    await q.query(`ALTER TABLE "notification_counters" DROP COLUMN "live"`);
  }
}
