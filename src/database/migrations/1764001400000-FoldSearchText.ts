import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The `search_vector` of each searchable table, over folded text (`search_fold`): the same columns
 * and weights as CreateSearch, so "cafe", "café" and NFD "cafe\u0301" all find "Café Crème".
 */
const FOLDED: Record<string, string> = {
  products: `setweight(to_tsvector('simple', search_fold(coalesce("name", ''))), 'A') || setweight(to_tsvector('simple', search_fold(coalesce("sku"::text, ''))), 'A') || setweight(to_tsvector('simple', search_fold(coalesce("description", ''))), 'C')`,
  contacts: `setweight(to_tsvector('simple', search_fold(coalesce("display_name", ''))), 'A') || setweight(to_tsvector('simple', search_fold(coalesce("company_name", '') || ' ' || coalesce("first_name", '') || ' ' || coalesce("last_name", '') || ' ' || coalesce("tax_number", ''))), 'B') || setweight(to_tsvector('simple', search_fold(coalesce("notes", ''))), 'D')`,
};
/** The vectors as CreateSearch made them (for `down`). */
const UNFOLDED: Record<string, string> = {
  products: `setweight(to_tsvector('simple', coalesce("name", '')), 'A') || setweight(to_tsvector('simple', coalesce("sku"::text, '')), 'A') || setweight(to_tsvector('simple', coalesce("description", '')), 'C')`,
  contacts: `setweight(to_tsvector('simple', coalesce("display_name", '')), 'A') || setweight(to_tsvector('simple', coalesce("company_name", '') || ' ' || coalesce("first_name", '') || ' ' || coalesce("last_name", '') || ' ' || coalesce("tax_number", '')), 'B') || setweight(to_tsvector('simple', coalesce("notes", '')), 'D')`,
};
const TITLES: Record<string, string> = { products: 'name', contacts: 'display_name' };

const PREFIX_QUERY = (input: string) => `
  CREATE OR REPLACE FUNCTION search_prefix_query(q text) RETURNS tsquery
  LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
    SELECT CASE WHEN t::text = '' THEN t
           -- Lexemes are already normalised: cast, do not parse them again.
           ELSE regexp_replace(t::text, '''(\\s|$)', ''':*\\1', 'g')::tsquery END
      FROM websearch_to_tsquery('simple', ${input}) AS t
  $$`;

/**
 * Accent- and form-insensitive search (issue 14). `search_fold(text)`: Unicode NFC, then
 * `unaccent` with its default rules (é→e, ß→ss, Æ→AE, combining marks dropped), declared
 * IMMUTABLE (the dictionary is named with its schema, so the search path cannot change the
 * answer) so generated columns and indexes may use it. It is applied to every column of each
 * `search_vector` (rebuilt here, with its GIN index, for existing rows), to the query in
 * `search_prefix_query`, and to the typo-correction words (`search_terms`, rebuilt).
 * `search_contains(q)` is the ILIKE pattern of a folded substring (wildcards escaped after
 * folding: `％` folds to `%`). Highlights: `search_headline(title, query)` marks matches with the
 * private-use sentinels U+E000/U+E001 (removed from the title first) through the text search
 * configuration `search_folded` (simple + unaccent), so the unfolded title shows its folded
 * matches; the application escapes the result and only then turns the sentinels into `<mark>`.
 */
export class FoldSearchText1764001400000 implements MigrationInterface {
  name = 'FoldSearchText1764001400000';

  async up(q: QueryRunner): Promise<void> {
    // normalize() and the U+E000 sentinels need a UTF8 database. scripts/start.mjs initialises the
    // embedded PostgreSQL in UTF8; a data directory made earlier under a non-UTF-8 locale
    // (SQL_ASCII) must be made again.
    const [{ server_encoding: encoding }] = (await q.query(`SHOW server_encoding`)) as {
      server_encoding: string;
    }[];
    if (encoding !== 'UTF8') {
      throw new Error(
        `Search needs a UTF8 database, this one is ${encoding}: create it with ENCODING 'UTF8' (for npm start: delete .data/pg)`,
      );
    }
    await q.query(`CREATE EXTENSION IF NOT EXISTS unaccent SCHEMA public`);
    await q.query(`
      CREATE FUNCTION search_fold(input text) RETURNS text
      LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
        SELECT public.unaccent('public.unaccent'::regdictionary, normalize(input, NFC))
      $$`);
    await q.query(`
      CREATE FUNCTION search_contains(input text) RETURNS text
      LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
        SELECT '%' || replace(replace(replace(search_fold(input), '\\', '\\\\'), '%', '\\%'), '_', '\\_') || '%'
      $$`);
    await q.query(`CREATE TEXT SEARCH CONFIGURATION search_folded (COPY = simple)`);
    await q.query(`
      ALTER TEXT SEARCH CONFIGURATION search_folded
        ALTER MAPPING FOR asciiword, asciihword, hword_asciipart, word, hword, hword_part
        WITH public.unaccent, simple`);
    await q.query(`
      CREATE FUNCTION search_headline(title text, query tsquery) RETURNS text
      LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
        SELECT ts_headline('public.search_folded'::regconfig,
                           translate(normalize(title, NFC), E'\\uE000\\uE001', ''), query,
                           E'StartSel=\\uE000, StopSel=\\uE001, HighlightAll=true')
      $$`);
    await q.query(PREFIX_QUERY('search_fold(q)'));
    await this.rebuild(q, FOLDED, true);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(PREFIX_QUERY('q'));
    await this.rebuild(q, UNFOLDED, false);
    await q.query(`DROP FUNCTION search_headline(text, tsquery)`);
    await q.query(`DROP TEXT SEARCH CONFIGURATION search_folded`);
    await q.query(`DROP FUNCTION search_contains(text)`);
    await q.query(`DROP FUNCTION search_fold(text)`);
    await q.query(`DROP EXTENSION IF EXISTS unaccent`);
  }

  /**
   * PostgreSQL 15 cannot change a generated column's expression: drop it (and its index), add it
   * again (computed for every existing row), index it again, tell TypeORM's drift check, and
   * relearn each organization's title words for typo correction.
   */
  private async rebuild(q: QueryRunner, vectors: Record<string, string>, folded: boolean) {
    for (const [table, vector] of Object.entries(vectors)) {
      await q.query(`DROP INDEX "ix_${table}_search"`);
      await q.query(`ALTER TABLE "${table}" DROP COLUMN "search_vector"`);
      await q.query(
        `ALTER TABLE "${table}" ADD "search_vector" tsvector GENERATED ALWAYS AS (${vector}) STORED`,
      );
      await q.query(`CREATE INDEX "ix_${table}_search" ON "${table}" USING gin ("search_vector")`);
      await q.query(
        `UPDATE "typeorm_metadata" SET "value" = $2
          WHERE "type" = 'GENERATED_COLUMN' AND "table" = $1 AND "name" = 'search_vector'`,
        [table, vector],
      );
    }
    await q.query(`DELETE FROM "search_terms"`);
    for (const [table, title] of Object.entries(TITLES)) {
      const text = folded ? `search_fold(t."${title}")` : `t."${title}"`;
      await q.query(`
        INSERT INTO "search_terms" (organization_id, word)
        SELECT DISTINCT t.organization_id, w.word
          FROM "${table}" t, unnest(tsvector_to_array(to_tsvector('simple', ${text}))) AS w(word)
         WHERE w.word ~ '^[[:alpha:]]{3,}$'
        ON CONFLICT DO NOTHING`);
    }
  }
}
