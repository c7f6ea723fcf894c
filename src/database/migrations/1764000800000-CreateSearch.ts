import { MigrationInterface, QueryRunner } from 'typeorm';

const POLICY = `organization_id = current_setting('app.current_org', true)::uuid`;

/** What each searchable table indexes, by weight (A: names, B: other identifiers, C/D: text). */
const VECTORS: Record<string, string> = {
  products: `setweight(to_tsvector('simple', coalesce("name", '')), 'A') || setweight(to_tsvector('simple', coalesce("sku"::text, '')), 'A') || setweight(to_tsvector('simple', coalesce("description", '')), 'C')`,
  contacts: `setweight(to_tsvector('simple', coalesce("display_name", '')), 'A') || setweight(to_tsvector('simple', coalesce("company_name", '') || ' ' || coalesce("first_name", '') || ' ' || coalesce("last_name", '') || ' ' || coalesce("tax_number", '')), 'B') || setweight(to_tsvector('simple', coalesce("notes", '')), 'D')`,
};
const TITLES: Record<string, string> = { products: 'name', contacts: 'display_name' };

/** The words of a title that typo correction may suggest: alphabetic, 3 letters or more. */
const termsOf = (table: string) => `
  SELECT DISTINCT t.organization_id, w.word
    FROM "${table}" t, unnest(tsvector_to_array(to_tsvector('simple', t."${TITLES[table]}"))) AS w(word)
   WHERE w.word ~ '^[[:alpha:]]{3,}$'`;

/**
 * Full-text search in PostgreSQL (the default backend): a generated `search_vector` per searchable
 * table under a GIN index (the organization filter is in every query; a GIN led by organization_id
 * measured 3-4× slower for a large tenant), `search_prefix_query()` (websearch syntax, every term a
 * prefix), `search_terms` (each organization's title words, trigram-indexed, for typo correction),
 * and the outbox: statement-level triggers record every changed row in the writing transaction and
 * notify `search_outbox`, delivered on commit.
 */
export class CreateSearch1764000800000 implements MigrationInterface {
  name = 'CreateSearch1764000800000';

  async up(q: QueryRunner): Promise<void> {
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
      await q.query(`CREATE INDEX "ix_${table}_search" ON "${table}" USING gin ("search_vector")`);
    }

    await q.query(`
      CREATE TABLE "search_terms" (
        "organization_id" uuid NOT NULL CONSTRAINT "fk_search_terms_organization_id" REFERENCES "organizations" ("id") ON DELETE CASCADE,
        "word" text NOT NULL,
        CONSTRAINT "pk_search_terms" PRIMARY KEY ("organization_id", "word")
      )`);
    await q.query(`ALTER TABLE "search_terms" ENABLE ROW LEVEL SECURITY`);
    await q.query(
      `CREATE POLICY "tenant_isolation" ON "search_terms" TO alees_tenant USING (${POLICY}) WITH CHECK (${POLICY})`,
    );
    // `@@` is not leakproof, so under row-level security PostgreSQL must apply the policy before it
    // and cannot use the GIN index (a sequential scan of the tenant: ~400 ms at 1M rows). This
    // function finds the candidates as the owner, for the organization of the transaction only
    // (`app.current_org`, set by withTenant); the caller joins them back under row-level security.
    await q.query(`
      CREATE FUNCTION search_candidates(searched text, query tsquery, max_rows integer)
      RETURNS TABLE (id uuid)
      LANGUAGE plpgsql STABLE SECURITY DEFINER SET search_path = public
      -- With LIMIT, the planner likes a sequential scan hoping matches are spread evenly; when they
      -- are clustered (a whole category imported at once) that reads most of the table.
      SET enable_seqscan = off AS $$
      DECLARE
        org uuid := nullif(current_setting('app.current_org', true), '')::uuid;
      BEGIN
        IF org IS NULL THEN
          RAISE EXCEPTION 'search_candidates: no organization in context';
        END IF;
        IF searched = 'products' THEN
          RETURN QUERY SELECT t.id FROM products t
            WHERE t.search_vector @@ query AND t.organization_id = org AND t.deleted_at IS NULL
            LIMIT max_rows;
        ELSIF searched = 'contacts' THEN
          RETURN QUERY SELECT t.id FROM contacts t
            WHERE t.search_vector @@ query AND t.organization_id = org
            LIMIT max_rows;
        ELSE
          RAISE EXCEPTION 'search_candidates: % is not searchable', searched;
        END IF;
      END $$`);
    await q.query(`REVOKE ALL ON FUNCTION search_candidates(text, tsquery, integer) FROM PUBLIC`);
    await q.query(
      `GRANT EXECUTE ON FUNCTION search_candidates(text, tsquery, integer) TO alees_tenant`,
    );
    for (const table of Object.keys(TITLES)) {
      await q.query(
        `INSERT INTO "search_terms" (organization_id, word) ${termsOf(table)} ON CONFLICT DO NOTHING`,
      );
    }

    await q.query(`
      CREATE TABLE "search_outbox" (
        "id" bigserial NOT NULL,
        "organization_id" uuid NOT NULL,
        "entity_type" character varying(32) NOT NULL,
        "entity_id" uuid NOT NULL,
        "operation" character varying(8) NOT NULL,
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
          INSERT INTO search_outbox (organization_id, entity_type, entity_id, operation)
          SELECT organization_id, TG_TABLE_NAME, id, 'delete' FROM old_rows;
        ELSE
          INSERT INTO search_outbox (organization_id, entity_type, entity_id, operation)
          SELECT organization_id, TG_TABLE_NAME, id, lower(TG_OP) FROM new_rows;
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
      await q.query(`DROP INDEX "ix_${table}_search"`);
      await q.query(`ALTER TABLE "${table}" DROP COLUMN "search_vector"`);
      await q.query(
        `DELETE FROM "typeorm_metadata" WHERE "type" = 'GENERATED_COLUMN' AND "table" = $1 AND "name" = 'search_vector'`,
        [table],
      );
    }
    await q.query(`DROP FUNCTION search_outbox_capture()`);
    await q.query(`DROP TABLE "search_terms"`);
    await q.query(`DROP FUNCTION search_candidates(text, tsquery, integer)`);
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
