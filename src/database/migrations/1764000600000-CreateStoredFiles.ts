import { MigrationInterface, QueryRunner } from 'typeorm';

const POLICY = `organization_id = current_setting('app.current_org', true)::uuid`;

/** File metadata (bytes live in the storage backend) and attachments of files to any entity. */
export class CreateStoredFiles1764000600000 implements MigrationInterface {
  name = 'CreateStoredFiles1764000600000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE "stored_files" (
        "id" uuid NOT NULL DEFAULT gen_uuid_v7(),
        "organization_id" uuid NOT NULL CONSTRAINT "fk_stored_files_organization_id" REFERENCES "organizations" ("id") ON DELETE CASCADE,
        "storage_key" text NOT NULL,
        "backend" character varying(8) NOT NULL,
        "original_name" character varying(255) NOT NULL,
        "content_type" character varying(127) NOT NULL,
        "size" bigint,
        "checksum_sha256" character(64),
        "status" character varying(16) NOT NULL DEFAULT 'pending',
        "uploaded_by" uuid,
        "uploaded_by_api_key" uuid,
        "created_at" timestamptz NOT NULL DEFAULT now(),
        "updated_at" timestamptz NOT NULL DEFAULT now(),
        "version" integer NOT NULL DEFAULT 1,
        CONSTRAINT "pk_stored_files" PRIMARY KEY ("id"),
        CONSTRAINT "ck_stored_files_status" CHECK ("status" IN ('pending', 'ready'))
      )`);
    await q.query(
      `CREATE UNIQUE INDEX "uq_stored_files_storage_key" ON "stored_files" ("storage_key")`,
    );
    await q.query(
      `CREATE INDEX "ix_stored_files_organization_id_created_at" ON "stored_files" ("organization_id", "created_at")`,
    );
    await q.query(`
      CREATE TABLE "attachments" (
        "id" uuid NOT NULL DEFAULT gen_uuid_v7(),
        "organization_id" uuid NOT NULL CONSTRAINT "fk_attachments_organization_id" REFERENCES "organizations" ("id") ON DELETE CASCADE,
        "file_id" uuid NOT NULL CONSTRAINT "fk_attachments_file_id" REFERENCES "stored_files" ("id") ON DELETE CASCADE,
        "entity_type" character varying(32) NOT NULL,
        "entity_id" uuid NOT NULL,
        "created_by" uuid,
        "created_at" timestamptz NOT NULL DEFAULT now(),
        CONSTRAINT "pk_attachments" PRIMARY KEY ("id")
      )`);
    await q.query(
      `CREATE UNIQUE INDEX "uq_attachments_entity_id" ON "attachments" ("file_id", "entity_type", "entity_id")`,
    );
    await q.query(
      `CREATE INDEX "ix_attachments_entity" ON "attachments" ("organization_id", "entity_type", "entity_id")`,
    );
    for (const table of ['stored_files', 'attachments']) {
      await q.query(`ALTER TABLE "${table}" ENABLE ROW LEVEL SECURITY`);
      await q.query(
        `CREATE POLICY "tenant_isolation" ON "${table}" TO alees_tenant USING (${POLICY}) WITH CHECK (${POLICY})`,
      );
    }
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE "attachments"`);
    await q.query(`DROP TABLE "stored_files"`);
  }
}
