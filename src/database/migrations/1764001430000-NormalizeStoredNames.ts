import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The one normalisation rule (`src/core/text/normalize.ts`) in SQL, applied to rows stored before
 * the API normalised names, codes and SKUs (issue 14, finding 3): Unicode NFC, zero-width
 * characters (U+200B-U+200D, U+2060, U+FEFF) removed, every whitespace run (the characters of
 * JavaScript's `\s`) collapsed to one space, trimmed. `alees_normalize_name(text)` stays for
 * operators and future migrations.
 *
 * Uniqueness already ignores case through the `lower(...)` unique indexes (`citext` for SKUs);
 * once the stored values are normalised those indexes also see look-alikes as equal.
 *
 * On a collision — two rows that become the same name under one unique index — the migration
 * fails loudly (nothing is changed: it runs in one transaction) and names the table, the column
 * and PostgreSQL's detail of the colliding key; rename one of the rows and run it again. Names
 * are business data, so the migration never renames them by itself.
 *
 * `down()` drops the function only: the original spellings are not kept.
 */
const NORMALIZED_COLUMNS: [table: string, column: string][] = [
  ['users', 'email'],
  ['organizations', 'code'],
  ['organizations', 'name'],
  ['roles', 'name'],
  ['api_keys', 'name'],
  ['currencies', 'name'],
  ['units_of_measure', 'name'],
  ['categories', 'name'],
  ['tax_jurisdictions', 'code'],
  ['tax_jurisdictions', 'name'],
  ['tax_categories', 'code'],
  ['tax_categories', 'name'],
  ['tax_rates', 'name'],
  ['contact_emails', 'email'],
  ['products', 'sku'],
  ['products', 'name'],
  ['warehouses', 'code'],
  ['warehouses', 'name'],
  ['stock_locations', 'code'],
  ['stock_locations', 'name'],
  ['schedules', 'name'],
];

export class NormalizeStoredNames1764001430000 implements MigrationInterface {
  name = 'NormalizeStoredNames1764001430000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE FUNCTION alees_normalize_name(value text) RETURNS text
        LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE
        AS $fn$
          SELECT btrim(
            regexp_replace(
              regexp_replace(normalize(value, NFC), '[\\u200B-\\u200D\\u2060\\uFEFF]', '', 'g'),
              '[\\t\\n\\v\\f\\r \\u00A0\\u1680\\u2000-\\u200A\\u2028\\u2029\\u202F\\u205F\\u3000]+', ' ', 'g'),
            ' ')
        $fn$`);
    for (const [table, column] of NORMALIZED_COLUMNS) {
      // (citext compares case-insensitively: compare as text so a case-only difference is kept)
      const value = `"${column}"::text`;
      try {
        await q.query(
          `UPDATE "${table}" SET "${column}" = alees_normalize_name(${value})
            WHERE ${value} IS DISTINCT FROM alees_normalize_name(${value})`,
        );
      } catch (error) {
        const { code, detail } = error as { code?: string; detail?: string };
        if (code !== '23505') throw error;
        throw new Error(
          `NormalizeStoredNames: two rows of ${table}.${column} become the same value once normalised ` +
            `(${detail ?? 'unique violation'}); rename one of them and run the migration again`,
        );
      }
    }
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP FUNCTION IF EXISTS alees_normalize_name(text)`);
  }
}
