import { MigrationInterface, QueryRunner } from 'typeorm';

const POLICY = `organization_id = current_setting('app.current_org', true)::uuid`;

/**
 * Localization: a user's language becomes optional (null: no preference, so Accept-Language
 * decides), organizations get a default language (also the language their content is written
 * in), and translatable content fields get their translations per language.
 */
export class AddLanguages1764000750000 implements MigrationInterface {
  name = 'AddLanguages1764000750000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE "users" ALTER COLUMN "language" DROP NOT NULL`);
    await q.query(`ALTER TABLE "users" ALTER COLUMN "language" DROP DEFAULT`);
    await q.query(`ALTER TABLE "organizations" ADD "language" text`);
    await q.query(`
      CREATE TABLE "content_translations" (
        "id" uuid NOT NULL DEFAULT gen_uuid_v7(),
        "organization_id" uuid NOT NULL CONSTRAINT "fk_content_translations_organization_id" REFERENCES "organizations" ("id") ON DELETE CASCADE,
        "entity_type" character varying(32) NOT NULL,
        "entity_id" uuid NOT NULL,
        "language" character varying(8) NOT NULL,
        "fields" jsonb NOT NULL,
        "created_at" timestamptz NOT NULL DEFAULT now(),
        "updated_at" timestamptz NOT NULL DEFAULT now(),
        CONSTRAINT "pk_content_translations" PRIMARY KEY ("id"),
        CONSTRAINT "ck_content_translations_fields" CHECK (jsonb_typeof("fields") = 'object')
      )`);
    await q.query(
      `CREATE UNIQUE INDEX "uq_content_translations_language" ON "content_translations" ("organization_id", "entity_type", "entity_id", "language")`,
    );
    await q.query(`ALTER TABLE "content_translations" ENABLE ROW LEVEL SECURITY`);
    await q.query(
      `CREATE POLICY "tenant_isolation" ON "content_translations" TO alees_tenant USING (${POLICY}) WITH CHECK (${POLICY})`,
    );
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE "content_translations"`);
    await q.query(`ALTER TABLE "organizations" DROP COLUMN "language"`);
    await q.query(`UPDATE "users" SET "language" = 'en' WHERE "language" IS NULL`);
    await q.query(`ALTER TABLE "users" ALTER COLUMN "language" SET DEFAULT 'en'`);
    await q.query(`ALTER TABLE "users" ALTER COLUMN "language" SET NOT NULL`);
  }
}
