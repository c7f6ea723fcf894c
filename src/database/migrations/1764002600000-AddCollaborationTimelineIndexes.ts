import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The timeline (issue 17) pages a record's comments by (created_at DESC, id DESC) and its finished
 * activities by (done_at DESC, id DESC): one index each, so a record with 10,000 entries pages
 * with an index scan and no sort.
 */
export class AddCollaborationTimelineIndexes1764002600000 implements MigrationInterface {
  name = 'AddCollaborationTimelineIndexes1764002600000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(
      `CREATE INDEX "ix_comments_timeline" ON "comments" ("organization_id", "entity_type", "entity_id", "created_at" DESC, "id" DESC)`,
    );
    await q.query(
      `CREATE INDEX "ix_activities_done_timeline" ON "activities" ("organization_id", "entity_type", "entity_id", "done_at" DESC, "id" DESC) WHERE "done_at" IS NOT NULL`,
    );
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP INDEX "ix_activities_done_timeline"`);
    await q.query(`DROP INDEX "ix_comments_timeline"`);
  }
}
