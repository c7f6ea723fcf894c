import { MigrationInterface, QueryRunner } from 'typeorm';

const POLICY = `organization_id = current_setting('app.current_org', true)::uuid`;

/**
 * The "chatter" of SPEC-P3 §3 on any registered target (`entity_type`, `entity_id`; no foreign key,
 * the target registry checks them): comments with one level of replies, their attached files and
 * reactions, and scheduled activities. A tombstoned comment (deleted while it has replies) keeps
 * its row without a body. `overdue_notified_on` makes the daily overdue event once per day.
 */
export class CreateCommentsAndActivities1764002200000 implements MigrationInterface {
  name = 'CreateCommentsAndActivities1764002200000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE "comments" (
        "id" uuid NOT NULL DEFAULT gen_uuid_v7(),
        "organization_id" uuid NOT NULL CONSTRAINT "fk_comments_organization_id" REFERENCES "organizations" ("id") ON DELETE CASCADE,
        "entity_type" character varying(50) NOT NULL,
        "entity_id" uuid NOT NULL,
        "parent_id" uuid CONSTRAINT "fk_comments_parent_id" REFERENCES "comments" ("id") ON DELETE CASCADE,
        "author_user_id" uuid NOT NULL CONSTRAINT "fk_comments_author_user_id" REFERENCES "users" ("id"),
        "body" text,
        "mentioned_user_ids" uuid array NOT NULL DEFAULT '{}',
        "status" character varying(10) NOT NULL DEFAULT 'visible',
        "edited_at" timestamptz,
        "deleted_at" timestamptz,
        "created_at" timestamptz NOT NULL DEFAULT now(),
        "updated_at" timestamptz NOT NULL DEFAULT now(),
        "version" integer NOT NULL DEFAULT 1,
        CONSTRAINT "pk_comments" PRIMARY KEY ("id"),
        CONSTRAINT "ck_comments_status" CHECK ("status" IN ('visible', 'hidden')),
        CONSTRAINT "ck_comments_body" CHECK (("deleted_at" IS NULL AND length("body") BETWEEN 1 AND 10000) OR ("deleted_at" IS NOT NULL AND "body" IS NULL))
      )`);
    await q.query(
      `CREATE INDEX "ix_comments_target" ON "comments" ("organization_id", "entity_type", "entity_id", "id")`,
    );
    await q.query(`CREATE INDEX "ix_comments_parent_id" ON "comments" ("parent_id")`);
    await q.query(`
      CREATE TABLE "comment_attachments" (
        "organization_id" uuid NOT NULL CONSTRAINT "fk_comment_attachments_organization_id" REFERENCES "organizations" ("id") ON DELETE CASCADE,
        "comment_id" uuid NOT NULL CONSTRAINT "fk_comment_attachments_comment_id" REFERENCES "comments" ("id") ON DELETE CASCADE,
        "file_id" uuid NOT NULL CONSTRAINT "fk_comment_attachments_file_id" REFERENCES "stored_files" ("id") ON DELETE CASCADE,
        "position" integer NOT NULL,
        CONSTRAINT "pk_comment_attachments" PRIMARY KEY ("comment_id", "file_id")
      )`);
    await q.query(
      `CREATE INDEX "ix_comment_attachments_file_id" ON "comment_attachments" ("file_id")`,
    );
    await q.query(`
      CREATE TABLE "comment_reactions" (
        "organization_id" uuid NOT NULL CONSTRAINT "fk_comment_reactions_organization_id" REFERENCES "organizations" ("id") ON DELETE CASCADE,
        "comment_id" uuid NOT NULL CONSTRAINT "fk_comment_reactions_comment_id" REFERENCES "comments" ("id") ON DELETE CASCADE,
        "user_id" uuid NOT NULL CONSTRAINT "fk_comment_reactions_user_id" REFERENCES "users" ("id") ON DELETE CASCADE,
        "emoji" character varying(32) NOT NULL,
        "created_at" timestamptz NOT NULL DEFAULT now(),
        CONSTRAINT "pk_comment_reactions" PRIMARY KEY ("comment_id", "user_id", "emoji")
      )`);
    await q.query(`
      CREATE TABLE "activities" (
        "id" uuid NOT NULL DEFAULT gen_uuid_v7(),
        "organization_id" uuid NOT NULL CONSTRAINT "fk_activities_organization_id" REFERENCES "organizations" ("id") ON DELETE CASCADE,
        "entity_type" character varying(50) NOT NULL,
        "entity_id" uuid NOT NULL,
        "type" character varying(16) NOT NULL,
        "summary" character varying(200) NOT NULL,
        "note" text,
        "due_date" date NOT NULL,
        "assignee_user_id" uuid CONSTRAINT "fk_activities_assignee_user_id" REFERENCES "users" ("id"),
        "done_at" timestamptz,
        "done_by" uuid CONSTRAINT "fk_activities_done_by" REFERENCES "users" ("id"),
        "created_by" uuid CONSTRAINT "fk_activities_created_by" REFERENCES "users" ("id"),
        "overdue_notified_on" date,
        "created_at" timestamptz NOT NULL DEFAULT now(),
        "updated_at" timestamptz NOT NULL DEFAULT now(),
        "version" integer NOT NULL DEFAULT 1,
        CONSTRAINT "pk_activities" PRIMARY KEY ("id"),
        CONSTRAINT "ck_activities_type" CHECK ("type" IN ('todo', 'call', 'meeting', 'email', 'deadline'))
      )`);
    await q.query(
      `CREATE INDEX "ix_activities_target" ON "activities" ("organization_id", "entity_type", "entity_id")`,
    );
    await q.query(
      `CREATE INDEX "ix_activities_assignee" ON "activities" ("organization_id", "assignee_user_id", "due_date")`,
    );
    for (const table of ['comments', 'comment_attachments', 'comment_reactions', 'activities']) {
      await q.query(`ALTER TABLE "${table}" ENABLE ROW LEVEL SECURITY`);
      await q.query(
        `CREATE POLICY "tenant_isolation" ON "${table}" TO alees_tenant USING (${POLICY}) WITH CHECK (${POLICY})`,
      );
      await q.query(`GRANT SELECT, INSERT, UPDATE, DELETE ON "${table}" TO alees_tenant`);
    }
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE "activities"`);
    await q.query(`DROP TABLE "comment_reactions"`);
    await q.query(`DROP TABLE "comment_attachments"`);
    await q.query(`DROP TABLE "comments"`);
  }
}
