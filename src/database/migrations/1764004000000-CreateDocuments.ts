import { MigrationInterface, QueryRunner } from 'typeorm';

const POLICY = `organization_id = current_setting('app.current_org', true)::uuid`;
const ZERO_UUID = `'00000000-0000-0000-0000-000000000000'::uuid`;
/**
 * The documents' full-text vector, folded as modules/search folds text: the title (weight A) and
 * the text the worker extracted from the current version (weight D).
 */
const DOCUMENT_VECTOR = `setweight(to_tsvector('simple', search_fold(coalesce("title", ''))), 'A') || setweight(to_tsvector('simple', search_fold(coalesce("content_text", ''))), 'D')`;

/**
 * Documents with versions (SPEC-P3 §5, issue 20): `folders` (a materialised-path tree per
 * organization, names unique among siblings ignoring case), `documents` (title, type = a category
 * of type `document`, status code of the statuses registry, optional target, folder, lock, custom
 * fields under a GIN index, the text extracted from the current version, a generated
 * `search_vector` over title and text), `document_versions`
 * (immutable: the tenant role may only SELECT and INSERT them; numbered without gaps, unique per
 * document; the file is kept by a RESTRICT key, so a file a version uses cannot be deleted) and
 * `document_share_links` (only the SHA-256 of the token is stored). Categories gain the type
 * `document`.
 */
export class CreateDocuments1764004000000 implements MigrationInterface {
  name = 'CreateDocuments1764004000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE "categories" DROP CONSTRAINT "ck_categories_type"`);
    await q.query(
      `ALTER TABLE "categories" ADD CONSTRAINT "ck_categories_type" CHECK ("type" IN ('product', 'contact', 'document'))`,
    );
    await q.query(`
      CREATE TABLE "folders" (
        "id" uuid NOT NULL DEFAULT gen_uuid_v7(),
        "organization_id" uuid NOT NULL CONSTRAINT "fk_folders_organization_id" REFERENCES "organizations" ("id") ON DELETE CASCADE,
        "name" character varying(100) NOT NULL,
        "parent_id" uuid CONSTRAINT "fk_folders_parent_id" REFERENCES "folders" ("id") ON DELETE RESTRICT,
        "path" text NOT NULL,
        "depth" integer NOT NULL DEFAULT 0,
        "created_at" timestamptz NOT NULL DEFAULT now(),
        "updated_at" timestamptz NOT NULL DEFAULT now(),
        "version" integer NOT NULL DEFAULT 1,
        CONSTRAINT "pk_folders" PRIMARY KEY ("id")
      )`);
    await q.query(
      `CREATE UNIQUE INDEX "uq_folders_name" ON "folders" ("organization_id", COALESCE("parent_id", ${ZERO_UUID}), lower("name"))`,
    );
    await q.query(
      `CREATE INDEX "ix_folders_path" ON "folders" ("organization_id", "path" text_pattern_ops)`,
    );
    await q.query(`CREATE INDEX "ix_folders_parent_id" ON "folders" ("parent_id")`);

    await q.query(`
      CREATE TABLE "documents" (
        "id" uuid NOT NULL DEFAULT gen_uuid_v7(),
        "organization_id" uuid NOT NULL CONSTRAINT "fk_documents_organization_id" REFERENCES "organizations" ("id") ON DELETE CASCADE,
        "title" character varying(200) NOT NULL,
        "document_type_id" uuid CONSTRAINT "fk_documents_document_type_id" REFERENCES "categories" ("id") ON DELETE RESTRICT,
        "status" character varying(50) NOT NULL,
        "target_type" character varying(50),
        "target_id" uuid,
        "folder_id" uuid CONSTRAINT "fk_documents_folder_id" REFERENCES "folders" ("id") ON DELETE RESTRICT,
        "current_version" integer NOT NULL DEFAULT 1,
        "locked_by" uuid,
        "locked_at" timestamptz,
        "lock_expires_at" timestamptz,
        "custom_fields" jsonb NOT NULL DEFAULT '{}',
        "content_text" text NOT NULL DEFAULT '',
        "created_by" uuid,
        "deleted_at" timestamptz,
        "created_at" timestamptz NOT NULL DEFAULT now(),
        "updated_at" timestamptz NOT NULL DEFAULT now(),
        "version" integer NOT NULL DEFAULT 1,
        CONSTRAINT "pk_documents" PRIMARY KEY ("id"),
        CONSTRAINT "ck_documents_title" CHECK (length("title") BETWEEN 1 AND 200),
        CONSTRAINT "ck_documents_target" CHECK (("target_type" IS NULL) = ("target_id" IS NULL)),
        CONSTRAINT "ck_documents_lock" CHECK (("locked_by" IS NULL) = ("lock_expires_at" IS NULL)),
        CONSTRAINT "ck_documents_current_version" CHECK ("current_version" >= 1)
      )`);
    await q.query(
      `ALTER TABLE "documents" ADD "search_vector" tsvector GENERATED ALWAYS AS (${DOCUMENT_VECTOR}) STORED`,
    );
    await q.query(
      `INSERT INTO "typeorm_metadata" ("type", "database", "schema", "table", "name", "value")
       VALUES ('GENERATED_COLUMN', current_database(), current_schema(), 'documents', 'search_vector', $1)`,
      [DOCUMENT_VECTOR],
    );
    await q.query(
      `CREATE INDEX "ix_documents_organization_id_created_at" ON "documents" ("organization_id", "created_at")`,
    );
    await q.query(
      `CREATE INDEX "ix_documents_folder" ON "documents" ("organization_id", "folder_id")`,
    );
    await q.query(
      `CREATE INDEX "ix_documents_target" ON "documents" ("organization_id", "target_type", "target_id")`,
    );
    await q.query(`CREATE INDEX "ix_documents_search" ON "documents" USING gin ("search_vector")`);
    await q.query(
      `CREATE INDEX "ix_documents_custom_fields" ON "documents" USING gin ("custom_fields" jsonb_path_ops)`,
    );

    await q.query(`
      CREATE TABLE "document_versions" (
        "id" uuid NOT NULL DEFAULT gen_uuid_v7(),
        "organization_id" uuid NOT NULL CONSTRAINT "fk_document_versions_organization_id" REFERENCES "organizations" ("id") ON DELETE CASCADE,
        "document_id" uuid NOT NULL CONSTRAINT "fk_document_versions_document_id" REFERENCES "documents" ("id") ON DELETE CASCADE,
        "number" integer NOT NULL,
        "file_id" uuid NOT NULL CONSTRAINT "fk_document_versions_file_id" REFERENCES "stored_files" ("id") ON DELETE RESTRICT,
        "sha256" character(64),
        "size" bigint,
        "content_type" character varying(127) NOT NULL,
        "change_note" character varying(1000) NOT NULL DEFAULT '',
        "created_by" uuid,
        "created_at" timestamptz NOT NULL DEFAULT now(),
        CONSTRAINT "pk_document_versions" PRIMARY KEY ("id"),
        CONSTRAINT "ck_document_versions_number" CHECK ("number" >= 1)
      )`);
    await q.query(
      `CREATE UNIQUE INDEX "uq_document_versions_number" ON "document_versions" ("document_id", "number")`,
    );
    await q.query(`CREATE INDEX "ix_document_versions_file_id" ON "document_versions" ("file_id")`);

    await q.query(`
      CREATE TABLE "document_share_links" (
        "id" uuid NOT NULL DEFAULT gen_uuid_v7(),
        "organization_id" uuid NOT NULL CONSTRAINT "fk_document_share_links_organization_id" REFERENCES "organizations" ("id") ON DELETE CASCADE,
        "document_id" uuid NOT NULL CONSTRAINT "fk_document_share_links_document_id" REFERENCES "documents" ("id") ON DELETE CASCADE,
        "token_hash" character(64) NOT NULL,
        "expires_at" timestamptz NOT NULL,
        "revoked_at" timestamptz,
        "created_by" uuid,
        "access_count" integer NOT NULL DEFAULT 0,
        "last_accessed_at" timestamptz,
        "created_at" timestamptz NOT NULL DEFAULT now(),
        CONSTRAINT "pk_document_share_links" PRIMARY KEY ("id")
      )`);
    await q.query(
      `CREATE UNIQUE INDEX "uq_document_share_links_token_hash" ON "document_share_links" ("token_hash")`,
    );
    await q.query(
      `CREATE INDEX "ix_document_share_links_document_id" ON "document_share_links" ("organization_id", "document_id")`,
    );

    for (const table of ['folders', 'documents', 'document_versions', 'document_share_links']) {
      await q.query(`ALTER TABLE "${table}" ENABLE ROW LEVEL SECURITY`);
      await q.query(
        `CREATE POLICY "tenant_isolation" ON "${table}" TO alees_tenant USING (${POLICY}) WITH CHECK (${POLICY})`,
      );
      await q.query(`GRANT SELECT, INSERT, UPDATE, DELETE ON "${table}" TO alees_tenant`);
    }
    // Versions are immutable: the tenant role may add them, never change or remove one.
    await q.query(`REVOKE UPDATE, DELETE ON "document_versions" FROM alees_tenant`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE "document_share_links"`);
    await q.query(`DROP TABLE "document_versions"`);
    await q.query(
      `DELETE FROM "typeorm_metadata" WHERE "type" = 'GENERATED_COLUMN' AND "table" = 'documents' AND "name" = 'search_vector'`,
    );
    await q.query(`DROP TABLE "documents"`);
    await q.query(`DROP TABLE "folders"`);
    await q.query(`DELETE FROM "categories" WHERE "type" = 'document'`);
    await q.query(`ALTER TABLE "categories" DROP CONSTRAINT "ck_categories_type"`);
    await q.query(
      `ALTER TABLE "categories" ADD CONSTRAINT "ck_categories_type" CHECK ("type" IN ('product', 'contact'))`,
    );
  }
}
