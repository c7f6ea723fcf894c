import { MigrationInterface, QueryRunner } from 'typeorm';
import { convertAttributes, convertValues } from './attribute-conversion';

const POLICY = `organization_id = current_setting('app.current_org', true)::uuid`;
const TYPES = `'text', 'number', 'decimal', 'boolean', 'date', 'datetime', 'select', 'multiselect', 'user', 'url'`;
/** Records that carry custom fields (SPEC-P3 §0); products' old attributes move into theirs. */
const RECORD_TABLES = ['products', 'contacts'];

/**
 * Custom fields (issue 18, SPEC-P3 §0): `custom_field_definitions` per organization and entity
 * type, and a `custom_fields` JSONB column (GIN, `jsonb_path_ops`: the `@>` the list filters use)
 * on products and contacts. Products' attribute mechanism becomes custom fields — one mechanism,
 * not two: each organization's `product_attribute_schemas` document (and any attribute key its
 * products hold beyond it) becomes `product` definitions, `products.attributes` values move into
 * `custom_fields` under the new keys (see `attribute-conversion.ts`), then the old column and
 * table are dropped.
 */
export class CreateCustomFields1764003100000 implements MigrationInterface {
  name = 'CreateCustomFields1764003100000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE "custom_field_definitions" (
        "id" uuid NOT NULL DEFAULT gen_uuid_v7(),
        "organization_id" uuid NOT NULL CONSTRAINT "fk_custom_field_definitions_organization_id" REFERENCES "organizations" ("id") ON DELETE CASCADE,
        "entity_type" character varying(50) NOT NULL,
        "key" character varying(40) NOT NULL,
        "label" character varying(100) NOT NULL,
        "type" character varying(16) NOT NULL,
        "required" boolean NOT NULL DEFAULT false,
        "options" jsonb,
        "min" character varying(40),
        "max" character varying(40),
        "pattern" character varying(200),
        "position" integer NOT NULL DEFAULT 0,
        "is_active" boolean NOT NULL DEFAULT true,
        "created_at" timestamptz NOT NULL DEFAULT now(),
        "updated_at" timestamptz NOT NULL DEFAULT now(),
        "version" integer NOT NULL DEFAULT 1,
        CONSTRAINT "pk_custom_field_definitions" PRIMARY KEY ("id"),
        CONSTRAINT "ck_custom_field_definitions_type" CHECK ("type" IN (${TYPES})),
        CONSTRAINT "ck_custom_field_definitions_key" CHECK ("key" ~ '^[a-z][a-z0-9_]{0,39}$')
      )`);
    await q.query(
      `CREATE UNIQUE INDEX "uq_custom_field_definitions_key" ON "custom_field_definitions" ("organization_id", "entity_type", "key")`,
    );
    await q.query(`ALTER TABLE "custom_field_definitions" ENABLE ROW LEVEL SECURITY`);
    await q.query(
      `CREATE POLICY "tenant_isolation" ON "custom_field_definitions" TO alees_tenant USING (${POLICY}) WITH CHECK (${POLICY})`,
    );
    await q.query(
      `GRANT SELECT, INSERT, UPDATE, DELETE ON "custom_field_definitions" TO alees_tenant`,
    );

    for (const table of RECORD_TABLES) {
      await q.query(
        `ALTER TABLE "${table}" ADD COLUMN "custom_fields" jsonb NOT NULL DEFAULT '{}'`,
      );
      await q.query(
        `CREATE INDEX "ix_${table}_custom_fields" ON "${table}" USING gin ("custom_fields" jsonb_path_ops)`,
      );
    }
    await this.moveProductAttributes(q);
    await q.query(`ALTER TABLE "products" DROP COLUMN "attributes"`);
    await q.query(`DROP TABLE "product_attribute_schemas"`);
  }

  /** Per organization: schema + values → definitions + custom_fields (in batches of products). */
  private async moveProductAttributes(q: QueryRunner): Promise<void> {
    const schemas = (await q.query(
      `SELECT organization_id, attributes FROM product_attribute_schemas`,
    )) as { organization_id: string; attributes: unknown[] }[];
    const orgs = (await q.query(
      `SELECT DISTINCT organization_id FROM products WHERE attributes <> '{}'::jsonb
       UNION SELECT organization_id FROM product_attribute_schemas
                WHERE jsonb_array_length(attributes) > 0`,
    )) as { organization_id: string }[];
    const schemaOf = new Map(schemas.map((s) => [s.organization_id, s.attributes]));
    for (const { organization_id: orgId } of orgs) {
      const records = (await q.query(
        `SELECT id, attributes FROM products WHERE organization_id = $1 AND attributes <> '{}'::jsonb`,
        [orgId],
      )) as { id: string; attributes: Record<string, unknown> }[];
      const conversion = convertAttributes(
        schemaOf.get(orgId) ?? null,
        records.map((r) => r.attributes),
      );
      for (const d of conversion.definitions) {
        await q.query(
          `INSERT INTO custom_field_definitions
             (organization_id, entity_type, key, label, type, required, options, position)
           VALUES ($1, 'product', $2, $3, $4, $5, $6, $7)`,
          [
            orgId,
            d.key,
            d.label,
            d.type,
            d.required,
            d.options === null ? null : JSON.stringify(d.options),
            d.position,
          ],
        );
      }
      for (let i = 0; i < records.length; i += 1000) {
        const batch = records.slice(i, i + 1000);
        await q.query(
          `UPDATE products p SET custom_fields = v.cf
             FROM jsonb_to_recordset($1::jsonb) AS v(id uuid, cf jsonb)
            WHERE p.id = v.id`,
          [
            JSON.stringify(
              batch.map((r) => ({ id: r.id, cf: convertValues(r.attributes, conversion) })),
            ),
          ],
        );
      }
    }
  }

  /**
   * Back to attributes: product definitions become the schema (`select` → `enum`, number-like →
   * `number`, date → `date`, boolean → `boolean`, the rest `string`) and values move back under
   * the same keys; contacts' custom fields are dropped.
   */
  async down(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE "product_attribute_schemas" (
        "organization_id" uuid NOT NULL CONSTRAINT "fk_product_attribute_schemas_organization_id" REFERENCES "organizations" ("id") ON DELETE CASCADE,
        "attributes" jsonb NOT NULL DEFAULT '[]',
        "created_at" timestamptz NOT NULL DEFAULT now(),
        "updated_at" timestamptz NOT NULL DEFAULT now(),
        "version" integer NOT NULL DEFAULT 1,
        CONSTRAINT "pk_product_attribute_schemas" PRIMARY KEY ("organization_id")
      )`);
    await q.query(`ALTER TABLE "product_attribute_schemas" ENABLE ROW LEVEL SECURITY`);
    await q.query(
      `CREATE POLICY "tenant_isolation" ON "product_attribute_schemas" TO alees_tenant USING (${POLICY}) WITH CHECK (${POLICY})`,
    );
    await q.query(
      `GRANT SELECT, INSERT, UPDATE, DELETE ON "product_attribute_schemas" TO alees_tenant`,
    );
    await q.query(`ALTER TABLE "products" ADD COLUMN "attributes" jsonb NOT NULL DEFAULT '{}'`);
    await q.query(
      `UPDATE products SET attributes = custom_fields WHERE custom_fields <> '{}'::jsonb`,
    );
    await q.query(`
      INSERT INTO product_attribute_schemas (organization_id, attributes)
      SELECT organization_id,
             jsonb_agg(jsonb_strip_nulls(jsonb_build_object(
               'key', key,
               'type', CASE type WHEN 'select' THEN 'enum' WHEN 'number' THEN 'number'
                                 WHEN 'decimal' THEN 'number' WHEN 'boolean' THEN 'boolean'
                                 WHEN 'date' THEN 'date' ELSE 'string' END,
               'required', required,
               'options', CASE WHEN type = 'select' THEN options END)) ORDER BY position, key)
        FROM custom_field_definitions WHERE entity_type = 'product'
       GROUP BY organization_id`);
    for (const table of RECORD_TABLES) {
      await q.query(`DROP INDEX "ix_${table}_custom_fields"`);
      await q.query(`ALTER TABLE "${table}" DROP COLUMN "custom_fields"`);
    }
    await q.query(`DROP TABLE "custom_field_definitions"`);
  }
}
