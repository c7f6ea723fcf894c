import { MigrationInterface, QueryRunner } from 'typeorm';

/** Installation-wide feature flags (platform data: superusers manage them). */
export class CreateFeatureFlags1764000700000 implements MigrationInterface {
  name = 'CreateFeatureFlags1764000700000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE "feature_flags" (
        "key" character varying(64) NOT NULL,
        "description" text NOT NULL DEFAULT '',
        "enabled" boolean NOT NULL DEFAULT false,
        "rules" jsonb NOT NULL DEFAULT '{}',
        "created_at" timestamptz NOT NULL DEFAULT now(),
        "updated_at" timestamptz NOT NULL DEFAULT now(),
        "version" integer NOT NULL DEFAULT 1,
        CONSTRAINT "pk_feature_flags" PRIMARY KEY ("key"),
        CONSTRAINT "ck_feature_flags_key" CHECK ("key" ~ '^[a-z][a-z0-9._-]{1,63}$')
      )`);
    await q.query(`REVOKE INSERT, UPDATE, DELETE ON "feature_flags" FROM alees_tenant`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE "feature_flags"`);
  }
}
