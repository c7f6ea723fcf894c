import { MigrationInterface, QueryRunner } from 'typeorm';

const POLICY = `organization_id = current_setting('app.current_org', true)::uuid`;

/**
 * The folded key of a tag name as `src/modules/tags/tag-names.ts` computes it (frozen here so
 * the migration keeps meaning what it meant): NFC + zero-width removed + whitespace collapsed,
 * then NFKC, full case folding (upper then lower: `ß` → `ss`, `ς` → `σ`), NFKC again.
 */
function foldedKey(name: string): string {
  const normalized = name
    .normalize('NFC')
    .replace(/[\u200B-\u200D\u2060\uFEFF]/g, '')
    .replace(/\s+/g, ' ')
    .trim();
  return normalized.normalize('NFKC').toUpperCase().toLowerCase().normalize('NFKC');
}

/** Targets whose `tags text[]` column moves into `taggings`, with the condition for live rows. */
const TAGGED = [
  { table: 'products', entityType: 'product', live: 'r.deleted_at IS NULL' },
  { table: 'contacts', entityType: 'contact', live: 'TRUE' },
];

/**
 * The tag registry of SPEC-P3 §2 (issue 18): `tags` per organization (name unique by its folded
 * `name_key`, colour, allowed entity types; null = any) and `taggings` of registered targets
 * (`target_type`, `target_id`; no foreign key, the target registry checks them, and they go with
 * their target). The products' and contacts' `tags text[]` columns move here: one tag per
 * organization and folded name (the first spelling in code-point order names it), then the
 * columns and their GIN indexes are dropped.
 */
export class CreateTags1764003200000 implements MigrationInterface {
  name = 'CreateTags1764003200000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE "tags" (
        "id" uuid NOT NULL DEFAULT gen_uuid_v7(),
        "organization_id" uuid NOT NULL CONSTRAINT "fk_tags_organization_id" REFERENCES "organizations" ("id") ON DELETE CASCADE,
        "name" character varying(50) NOT NULL,
        "name_key" character varying(200) NOT NULL,
        "color" character(7),
        "entity_types" text array,
        "created_at" timestamptz NOT NULL DEFAULT now(),
        "updated_at" timestamptz NOT NULL DEFAULT now(),
        "version" integer NOT NULL DEFAULT 1,
        CONSTRAINT "pk_tags" PRIMARY KEY ("id"),
        CONSTRAINT "ck_tags_name" CHECK (length("name") BETWEEN 1 AND 50),
        CONSTRAINT "ck_tags_color" CHECK ("color" ~ '^#[0-9a-f]{6}$')
      )`);
    // Uniqueness and autocomplete (prefix LIKE on the folded key).
    await q.query(
      `CREATE UNIQUE INDEX "uq_tags_name_key" ON "tags" ("organization_id", "name_key" text_pattern_ops)`,
    );
    await q.query(`
      CREATE TABLE "taggings" (
        "organization_id" uuid NOT NULL CONSTRAINT "fk_taggings_organization_id" REFERENCES "organizations" ("id") ON DELETE CASCADE,
        "tag_id" uuid NOT NULL CONSTRAINT "fk_taggings_tag_id" REFERENCES "tags" ("id") ON DELETE CASCADE,
        "target_type" character varying(50) NOT NULL,
        "target_id" uuid NOT NULL,
        "created_at" timestamptz NOT NULL DEFAULT now(),
        CONSTRAINT "pk_taggings" PRIMARY KEY ("tag_id", "target_type", "target_id")
      )`);
    // A record's tags (reads, `setTags`, deletion with the target).
    await q.query(
      `CREATE INDEX "ix_taggings_target" ON "taggings" ("organization_id", "target_type", "target_id")`,
    );
    for (const table of ['tags', 'taggings']) {
      await q.query(`ALTER TABLE "${table}" ENABLE ROW LEVEL SECURITY`);
      await q.query(
        `CREATE POLICY "tenant_isolation" ON "${table}" TO alees_tenant USING (${POLICY}) WITH CHECK (${POLICY})`,
      );
      await q.query(`GRANT SELECT, INSERT, UPDATE, DELETE ON "${table}" TO alees_tenant`);
    }
    await this.moveArrays(q);
  }

  /** Moves every live row's `tags` into tags/taggings, then drops the columns. */
  private async moveArrays(q: QueryRunner): Promise<void> {
    const used = (await q.query(
      TAGGED.map(
        (t) =>
          `SELECT DISTINCT organization_id::text AS org, unnest(tags) AS name FROM "${t.table}" r WHERE ${t.live}`,
      ).join(' UNION '),
    )) as { org: string; name: string }[];
    await q.query(`DROP TABLE IF EXISTS pg_temp."tag_spellings"`);
    await q.query(
      `CREATE TEMP TABLE "tag_spellings" (org uuid, name text, name_key text) ON COMMIT DROP`,
    );
    const rows = used
      .map((u) => ({ org: u.org, name: u.name, key: foldedKey(u.name) }))
      .filter((u) => u.key.length > 0);
    for (let i = 0; i < rows.length; i += 1000) {
      const chunk = rows.slice(i, i + 1000);
      await q.query(
        `INSERT INTO "tag_spellings" (org, name, name_key)
         SELECT * FROM unnest($1::uuid[], $2::text[], $3::text[])`,
        [chunk.map((r) => r.org), chunk.map((r) => r.name), chunk.map((r) => r.key)],
      );
    }
    await q.query(`
      INSERT INTO "tags" ("organization_id", "name", "name_key")
      SELECT DISTINCT ON (org, name_key) org, left(btrim(name), 50), name_key
        FROM "tag_spellings" ORDER BY org, name_key, name COLLATE "C"`);
    for (const t of TAGGED) {
      await q.query(`
        INSERT INTO "taggings" ("organization_id", "tag_id", "target_type", "target_id")
        SELECT DISTINCT r.organization_id, g.id, '${t.entityType}', r.id
          FROM "${t.table}" r
          CROSS JOIN LATERAL unnest(r.tags) AS n(name)
          JOIN "tag_spellings" s ON s.org = r.organization_id AND s.name = n.name
          JOIN "tags" g ON g.organization_id = s.org AND g.name_key = s.name_key
         WHERE ${t.live}
        ON CONFLICT DO NOTHING`);
      await q.query(`DROP INDEX "ix_${t.table}_tags"`);
      await q.query(`ALTER TABLE "${t.table}" DROP COLUMN "tags"`);
    }
  }

  async down(q: QueryRunner): Promise<void> {
    for (const t of TAGGED) {
      await q.query(`ALTER TABLE "${t.table}" ADD "tags" text array NOT NULL DEFAULT '{}'`);
      await q.query(`
        UPDATE "${t.table}" r SET "tags" = s.names
          FROM (SELECT g.target_id, array_agg(t.name ORDER BY t.name_key) AS names
                  FROM "taggings" g JOIN "tags" t ON t.id = g.tag_id
                 WHERE g.target_type = '${t.entityType}' GROUP BY g.target_id) s
         WHERE s.target_id = r.id`);
      await q.query(`CREATE INDEX "ix_${t.table}_tags" ON "${t.table}" USING gin ("tags")`);
    }
    await q.query(`DROP TABLE "taggings"`);
    await q.query(`DROP TABLE "tags"`);
  }
}
