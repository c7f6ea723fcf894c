import { MigrationInterface, QueryRunner } from 'typeorm';

const POLICY = `organization_id = current_setting('app.current_org', true)::uuid`;

/** What each searchable table indexes, by weight (A: names, B: other identifiers, C/D: text). */
const VECTORS: Record<string, string> = {
  products: `setweight(to_tsvector('simple', coalesce("name", '')), 'A') || setweight(to_tsvector('simple', coalesce("sku"::text, '')), 'A') || setweight(to_tsvector('simple', coalesce("description", '')), 'C')`,
  contacts: `setweight(to_tsvector('simple', coalesce("display_name", '')), 'A') || setweight(to_tsvector('simple', coalesce("company_name", '') || ' ' || coalesce("first_name", '') || ' ' || coalesce("last_name", '') || ' ' || coalesce("tax_number", '')), 'B') || setweight(to_tsvector('simple', coalesce("notes", '')), 'D')`,
};
const TITLES: Record<string, string> = { products: 'name', contacts: 'display_name' };

/**
 * Full-text search in PostgreSQL (the default backend): a generated `search_vector` per searchable
 * table with a GIN index led by organization_id (btree_gin), a trigram index on the title for
 * typo-tolerant fallback, `search_prefix_query()` (websearch syntax, every term a prefix), and the
 * outbox that feeds external backends (Elasticsearch): statement-level triggers record every changed
 * row in the writing transaction and notify `search_outbox`, delivered on commit.
 */
export class CreateSearch1764000800000 implements MigrationInterface {
  name = 'CreateSearch1764000800000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`CREATE EXTENSION IF NOT EXISTS btree_gin`);
    await q.query(`CREATE EXTENSION IF NOT EXISTS pg_trgm`);
    await q.query(`
      CREATE FUNCTION search_prefix_query(q text) RETURNS tsquery
      LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
        SELECT CASE WHEN t::text = '' THEN t
               -- Lexemes are already normalised: cast, do not parse them again.
               ELSE regexp_replace(t::text, '''(\\s|$)', ''':*\\1', 'g')::tsquery END
          FROM websearch_to_tsquery('simple', q) AS t
      $$`);
    // TypeORM compares generated columns with the expression it finds here (the drift test).
    await q.query(`
      CREATE TABLE IF NOT EXISTS "typeorm_metadata" (
        "type" character varying NOT NULL, "database" character varying, "schema" character varying,
        "table" character varying, "name" character varying, "value" text)`);
    for (const [table, vector] of Object.entries(VECTORS)) {
      await q.query(
        `ALTER TABLE "${table}" ADD "search_vector" tsvector GENERATED ALWAYS AS (${vector}) STORED`,
      );
      await q.query(
        `INSERT INTO "typeorm_metadata" ("type", "database", "schema", "table", "name", "value")
         VALUES ('GENERATED_COLUMN', current_database(), current_schema(), $1, 'search_vector', $2)`,
        [table, vector],
      );
      await q.query(
        `CREATE INDEX "ix_${table}_search" ON "${table}" USING gin ("organization_id", "search_vector")`,
      );
      await q.query(
        `CREATE INDEX "ix_${table}_title_trgm" ON "${table}" USING gin ("organization_id", "${TITLES[table]}" gin_trgm_ops)`,
      );
    }

    await q.query(`
      CREATE TABLE "search_outbox" (
        "id" bigserial NOT NULL,
        "organization_id" uuid NOT NULL,
        "entity_type" character varying(32) NOT NULL,
        "entity_id" uuid NOT NULL,
        "created_at" timestamptz NOT NULL DEFAULT now(),
        CONSTRAINT "pk_search_outbox" PRIMARY KEY ("id")
      )`);
    await q.query(`ALTER TABLE "search_outbox" ENABLE ROW LEVEL SECURITY`);
    await q.query(
      `CREATE POLICY "tenant_isolation" ON "search_outbox" TO alees_tenant USING (${POLICY}) WITH CHECK (${POLICY})`,
    );
    await q.query(`GRANT INSERT ON "search_outbox" TO alees_tenant`);
    await q.query(`GRANT USAGE ON SEQUENCE "search_outbox_id_seq" TO alees_tenant`);
    await q.query(`
      CREATE FUNCTION search_outbox_capture() RETURNS trigger
      LANGUAGE plpgsql AS $$
      BEGIN
        IF TG_OP = 'DELETE' THEN
          INSERT INTO search_outbox (organization_id, entity_type, entity_id)
          SELECT organization_id, TG_TABLE_NAME, id FROM old_rows;
        ELSE
          INSERT INTO search_outbox (organization_id, entity_type, entity_id)
          SELECT organization_id, TG_TABLE_NAME, id FROM new_rows;
        END IF;
        PERFORM pg_notify('search_outbox', TG_TABLE_NAME);
        RETURN NULL;
      END $$`);
    for (const table of Object.keys(VECTORS)) {
      await q.query(`CREATE TRIGGER "trg_${table}_search_insert" AFTER INSERT ON "${table}"
        REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION search_outbox_capture()`);
      await q.query(`CREATE TRIGGER "trg_${table}_search_update" AFTER UPDATE ON "${table}"
        REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION search_outbox_capture()`);
      await q.query(`CREATE TRIGGER "trg_${table}_search_delete" AFTER DELETE ON "${table}"
        REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION search_outbox_capture()`);
    }
  }

  async down(q: QueryRunner): Promise<void> {
    for (const table of Object.keys(VECTORS)) {
      for (const event of ['insert', 'update', 'delete']) {
        await q.query(`DROP TRIGGER "trg_${table}_search_${event}" ON "${table}"`);
      }
      await q.query(`DROP INDEX "ix_${table}_title_trgm"`);
      await q.query(`DROP INDEX "ix_${table}_search"`);
      await q.query(`ALTER TABLE "${table}" DROP COLUMN "search_vector"`);
      await q.query(
        `DELETE FROM "typeorm_metadata" WHERE "type" = 'GENERATED_COLUMN' AND "table" = $1 AND "name" = 'search_vector'`,
        [table],
      );
    }
    await q.query(`DROP FUNCTION search_outbox_capture()`);
    await q.query(`DROP TABLE "search_outbox"`);
    await q.query(`DROP FUNCTION search_prefix_query(text)`);
    await q.query(
      `DELETE FROM "typeorm_metadata" WHERE "type" = 'GENERATED_COLUMN' AND "name" = 'search_vector'`,
    );
    const [{ n }] = (await q.query(`SELECT count(*)::int AS n FROM "typeorm_metadata"`)) as {
      n: number;
    }[];
    if (n === 0) await q.query(`DROP TABLE "typeorm_metadata"`);
  }
}
