import { MigrationInterface, QueryRunner } from 'typeorm';

const TIMESTAMPS = `"created_at" timestamptz NOT NULL DEFAULT now(),
        "updated_at" timestamptz NOT NULL DEFAULT now(),
        "version" integer NOT NULL DEFAULT 1`;
const TENANT = `"id" uuid NOT NULL DEFAULT gen_uuid_v7(),
        "organization_id" uuid NOT NULL REFERENCES "organizations" ("id") ON DELETE CASCADE`;
const ZERO_UUID = `'00000000-0000-0000-0000-000000000000'::uuid`;

/** Tenant tables created here, each under the row-level-security policy of the previous migration. */
const TENANT_TABLES = [
  'contacts',
  'contact_emails',
  'contact_phones',
  'contact_addresses',
  'categories',
  'tax_jurisdictions',
  'tax_categories',
  'tax_rates',
  'products',
  'product_attribute_schemas',
  'warehouses',
  'stock_locations',
  'stock_moves',
  'stock_levels',
];
/** `CREATE TABLE`, naming each inline foreign key `fk_<table>_<column>` (the drift check's convention). */
async function createTable(q: QueryRunner, sql: string): Promise<void> {
  const table = /CREATE TABLE "(\w+)"/.exec(sql)?.[1];
  await q.query(
    sql.replace(
      /"(\w+)" ([^,"]*?)REFERENCES/g,
      (_, column: string, type: string) =>
        `"${column}" ${type}CONSTRAINT "fk_${table}_${column}" REFERENCES`,
    ),
  );
}

const CONTACT_CHILDREN = ['contact_emails', 'contact_phones', 'contact_addresses'];

/**
 * P2 master data (SPEC §6): global reference data (currencies, units of measure) and the tenant
 * catalog and inventory. Invariants the database itself enforces, whatever the code does:
 * one primary email/phone/address per contact (deferred constraint trigger), unique names per
 * category parent, no overlapping tax rate validity (exclusion constraint), sku unique per
 * organization ignoring soft-deleted rows, an append-only stock ledger.
 */
export class CreateMasterData1764000300000 implements MigrationInterface {
  name = 'CreateMasterData1764000300000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`CREATE EXTENSION IF NOT EXISTS btree_gist`);
    await q.query(`CREATE EXTENSION IF NOT EXISTS citext`);

    await createTable(
      q,
      `
      CREATE TABLE "currencies" (
        "code" character(3) NOT NULL,
        "name" character varying(100) NOT NULL,
        "minor_units" smallint,
        "is_active" boolean NOT NULL DEFAULT true,
        ${TIMESTAMPS},
        CONSTRAINT "pk_currencies" PRIMARY KEY ("code"),
        CONSTRAINT "ck_currencies_code" CHECK ("code" ~ '^[A-Z]{3}$'),
        CONSTRAINT "ck_currencies_minor_units" CHECK ("minor_units" BETWEEN 0 AND 4)
      )`,
    );
    await createTable(
      q,
      `
      CREATE TABLE "units_of_measure" (
        "code" character varying(16) NOT NULL,
        "name" character varying(100) NOT NULL,
        "type" character varying(16) NOT NULL,
        "factor" numeric(30,12) NOT NULL,
        "is_active" boolean NOT NULL DEFAULT true,
        ${TIMESTAMPS},
        CONSTRAINT "pk_units_of_measure" PRIMARY KEY ("code"),
        CONSTRAINT "ck_units_of_measure_type" CHECK ("type" IN ('length', 'mass', 'volume', 'count', 'time')),
        CONSTRAINT "ck_units_of_measure_factor" CHECK ("factor" > 0)
      )`,
    );
    // One base unit (factor 1) per type.
    await q.query(
      `CREATE UNIQUE INDEX "uq_units_of_measure_base" ON "units_of_measure" ("type") WHERE "factor" = 1`,
    );

    await createTable(
      q,
      `
      CREATE TABLE "categories" (
        ${TENANT},
        "type" character varying(16) NOT NULL,
        "name" character varying(100) NOT NULL,
        "description" text NOT NULL DEFAULT '',
        "parent_id" uuid REFERENCES "categories" ("id") ON DELETE RESTRICT,
        "path" text NOT NULL,
        "depth" integer NOT NULL,
        ${TIMESTAMPS},
        CONSTRAINT "pk_categories" PRIMARY KEY ("id"),
        CONSTRAINT "ck_categories_type" CHECK ("type" IN ('product', 'contact'))
      )`,
    );
    await q.query(
      `CREATE UNIQUE INDEX "uq_categories_name" ON "categories" ("organization_id", "type", COALESCE("parent_id", ${ZERO_UUID}), lower("name"))`,
    );
    await q.query(
      `CREATE INDEX "ix_categories_path" ON "categories" ("organization_id", "path" text_pattern_ops)`,
    );
    await q.query(`CREATE INDEX "ix_categories_parent_id" ON "categories" ("parent_id")`);

    await createTable(
      q,
      `
      CREATE TABLE "contacts" (
        ${TENANT},
        "kind" character varying(16) NOT NULL,
        "display_name" character varying(200) NOT NULL,
        "first_name" character varying(100),
        "last_name" character varying(100),
        "company_name" character varying(200),
        "tax_number" character varying(50),
        "notes" text NOT NULL DEFAULT '',
        "tags" text array NOT NULL DEFAULT '{}',
        "category_id" uuid REFERENCES "categories" ("id") ON DELETE RESTRICT,
        ${TIMESTAMPS},
        CONSTRAINT "pk_contacts" PRIMARY KEY ("id"),
        CONSTRAINT "ck_contacts_kind" CHECK ("kind" IN ('person', 'company'))
      )`,
    );
    await q.query(
      `CREATE INDEX "ix_contacts_organization_id_display_name" ON "contacts" ("organization_id", "display_name")`,
    );
    await q.query(`CREATE INDEX "ix_contacts_tags" ON "contacts" USING gin ("tags")`);
    const child = (table: string, columns: string) => `
      CREATE TABLE "${table}" (
        ${TENANT},
        "contact_id" uuid NOT NULL REFERENCES "contacts" ("id") ON DELETE CASCADE,
        ${columns},
        "label" character varying(50) NOT NULL DEFAULT '',
        "is_primary" boolean NOT NULL DEFAULT false,
        "position" smallint NOT NULL DEFAULT 0,
        CONSTRAINT "pk_${table}" PRIMARY KEY ("id")
      )`;
    await createTable(q, child('contact_emails', `"email" character varying(254) NOT NULL`));
    await createTable(q, child('contact_phones', `"number" character varying(32) NOT NULL`));
    await createTable(
      q,
      child(
        'contact_addresses',
        `"line1" character varying(200) NOT NULL,
        "line2" character varying(200),
        "city" character varying(100) NOT NULL,
        "region" character varying(100),
        "postal_code" character varying(20),
        "country_code" character(2) NOT NULL`,
      ),
    );
    await q.query(`
      CREATE FUNCTION contact_children_one_primary() RETURNS trigger LANGUAGE plpgsql AS $$
      DECLARE
        target uuid;
        total integer;
        primaries integer;
      BEGIN
        IF TG_OP = 'DELETE' THEN target := OLD.contact_id; ELSE target := NEW.contact_id; END IF;
        EXECUTE format('SELECT count(*), count(*) FILTER (WHERE is_primary) FROM %I WHERE contact_id = $1', TG_TABLE_NAME)
          INTO total, primaries USING target;
        IF total > 0 AND primaries <> 1 THEN
          RAISE EXCEPTION 'contact % must have exactly one primary row in %', target, TG_TABLE_NAME
            USING ERRCODE = 'check_violation', CONSTRAINT = 'ck_' || TG_TABLE_NAME || '_one_primary';
        END IF;
        RETURN NULL;
      END $$`);
    for (const table of CONTACT_CHILDREN) {
      await q.query(`CREATE INDEX "ix_${table}_contact_id" ON "${table}" ("contact_id")`);
      await q.query(
        `CREATE UNIQUE INDEX "uq_${table}_primary" ON "${table}" ("contact_id") WHERE "is_primary"`,
      );
      await q.query(`
        CREATE CONSTRAINT TRIGGER "trg_${table}_one_primary" AFTER INSERT OR UPDATE OR DELETE ON "${table}"
        DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION contact_children_one_primary()`);
    }

    await createTable(
      q,
      `
      CREATE TABLE "tax_jurisdictions" (
        ${TENANT},
        "code" character varying(32) NOT NULL,
        "name" character varying(100) NOT NULL,
        "country_code" character(2),
        "parent_id" uuid REFERENCES "tax_jurisdictions" ("id") ON DELETE RESTRICT,
        "path" text NOT NULL,
        "depth" integer NOT NULL,
        ${TIMESTAMPS},
        CONSTRAINT "pk_tax_jurisdictions" PRIMARY KEY ("id")
      )`,
    );
    await q.query(
      `CREATE UNIQUE INDEX "uq_tax_jurisdictions_code" ON "tax_jurisdictions" ("organization_id", lower("code"))`,
    );
    await q.query(
      `CREATE INDEX "ix_tax_jurisdictions_parent_id" ON "tax_jurisdictions" ("parent_id")`,
    );
    await createTable(
      q,
      `
      CREATE TABLE "tax_categories" (
        ${TENANT},
        "code" character varying(32) NOT NULL,
        "name" character varying(100) NOT NULL,
        "description" text NOT NULL DEFAULT '',
        ${TIMESTAMPS},
        CONSTRAINT "pk_tax_categories" PRIMARY KEY ("id")
      )`,
    );
    await q.query(
      `CREATE UNIQUE INDEX "uq_tax_categories_code" ON "tax_categories" ("organization_id", lower("code"))`,
    );
    await createTable(
      q,
      `
      CREATE TABLE "tax_rates" (
        ${TENANT},
        "jurisdiction_id" uuid NOT NULL REFERENCES "tax_jurisdictions" ("id") ON DELETE RESTRICT,
        "tax_category_id" uuid NOT NULL REFERENCES "tax_categories" ("id") ON DELETE RESTRICT,
        "name" character varying(100) NOT NULL,
        "rate" numeric(9,6) NOT NULL,
        "valid_from" date NOT NULL,
        "valid_to" date,
        ${TIMESTAMPS},
        CONSTRAINT "pk_tax_rates" PRIMARY KEY ("id"),
        CONSTRAINT "ck_tax_rates_rate" CHECK ("rate" >= 0 AND "rate" <= 1),
        CONSTRAINT "ck_tax_rates_validity" CHECK ("valid_to" IS NULL OR "valid_to" > "valid_from"),
        CONSTRAINT "ex_tax_rates_validity" EXCLUDE USING gist (
          "jurisdiction_id" WITH =, "tax_category_id" WITH =,
          daterange("valid_from", "valid_to", '[)') WITH &&)
      )`,
    );
    await q.query(
      `CREATE INDEX "ix_tax_rates_organization_id" ON "tax_rates" ("organization_id", "valid_from")`,
    );
    await q.query(`CREATE INDEX "ix_tax_rates_tax_category_id" ON "tax_rates" ("tax_category_id")`);

    await createTable(
      q,
      `
      CREATE TABLE "products" (
        ${TENANT},
        "sku" citext NOT NULL,
        "name" character varying(200) NOT NULL,
        "description" text NOT NULL DEFAULT '',
        "type" character varying(16) NOT NULL,
        "status" character varying(20) NOT NULL DEFAULT 'draft',
        "price" numeric(19,4),
        "currency_code" character(3) REFERENCES "currencies" ("code"),
        "uom_code" character varying(16) NOT NULL REFERENCES "units_of_measure" ("code"),
        "category_id" uuid REFERENCES "categories" ("id") ON DELETE RESTRICT,
        "tags" text array NOT NULL DEFAULT '{}',
        "attributes" jsonb NOT NULL DEFAULT '{}',
        "deleted_at" timestamptz,
        ${TIMESTAMPS},
        CONSTRAINT "pk_products" PRIMARY KEY ("id"),
        CONSTRAINT "ck_products_type" CHECK ("type" IN ('goods', 'service')),
        CONSTRAINT "ck_products_status" CHECK ("status" IN ('draft', 'active', 'discontinued', 'end_of_life')),
        CONSTRAINT "ck_products_price_currency" CHECK (("price" IS NULL) = ("currency_code" IS NULL)),
        CONSTRAINT "ck_products_price" CHECK ("price" >= 0)
      )`,
    );
    await q.query(
      `CREATE UNIQUE INDEX "uq_products_sku" ON "products" ("organization_id", "sku") WHERE "deleted_at" IS NULL`,
    );
    await q.query(
      `CREATE INDEX "ix_products_organization_id_name" ON "products" ("organization_id", "name", "id") WHERE "deleted_at" IS NULL`,
    );
    await q.query(`CREATE INDEX "ix_products_category_id" ON "products" ("category_id")`);
    await q.query(`CREATE INDEX "ix_products_tags" ON "products" USING gin ("tags")`);
    await createTable(
      q,
      `
      CREATE TABLE "product_attribute_schemas" (
        "organization_id" uuid NOT NULL REFERENCES "organizations" ("id") ON DELETE CASCADE,
        "attributes" jsonb NOT NULL DEFAULT '[]',
        ${TIMESTAMPS},
        CONSTRAINT "pk_product_attribute_schemas" PRIMARY KEY ("organization_id")
      )`,
    );

    await createTable(
      q,
      `
      CREATE TABLE "warehouses" (
        ${TENANT},
        "code" character varying(32) NOT NULL,
        "name" character varying(200) NOT NULL,
        "address_line1" character varying(200),
        "address_line2" character varying(200),
        "address_city" character varying(100),
        "address_region" character varying(100),
        "address_postal_code" character varying(20),
        "address_country_code" character(2),
        "is_active" boolean NOT NULL DEFAULT true,
        ${TIMESTAMPS},
        CONSTRAINT "pk_warehouses" PRIMARY KEY ("id")
      )`,
    );
    await q.query(
      `CREATE UNIQUE INDEX "uq_warehouses_code" ON "warehouses" ("organization_id", lower("code"))`,
    );
    await createTable(
      q,
      `
      CREATE TABLE "stock_locations" (
        ${TENANT},
        "warehouse_id" uuid NOT NULL REFERENCES "warehouses" ("id") ON DELETE RESTRICT,
        "parent_id" uuid REFERENCES "stock_locations" ("id") ON DELETE RESTRICT,
        "code" character varying(32) NOT NULL,
        "name" character varying(200) NOT NULL,
        "path" text NOT NULL,
        "depth" integer NOT NULL,
        "allow_negative" boolean NOT NULL DEFAULT false,
        "is_active" boolean NOT NULL DEFAULT true,
        ${TIMESTAMPS},
        CONSTRAINT "pk_stock_locations" PRIMARY KEY ("id")
      )`,
    );
    await q.query(
      `CREATE UNIQUE INDEX "uq_stock_locations_code" ON "stock_locations" ("warehouse_id", lower("code"))`,
    );
    await q.query(`CREATE INDEX "ix_stock_locations_parent_id" ON "stock_locations" ("parent_id")`);
    await createTable(
      q,
      `
      CREATE TABLE "stock_moves" (
        ${TENANT},
        "product_id" uuid NOT NULL REFERENCES "products" ("id") ON DELETE RESTRICT,
        "from_location_id" uuid REFERENCES "stock_locations" ("id") ON DELETE RESTRICT,
        "to_location_id" uuid REFERENCES "stock_locations" ("id") ON DELETE RESTRICT,
        "quantity" numeric(20,6) NOT NULL,
        "reference" character varying(100) NOT NULL DEFAULT '',
        "note" text NOT NULL DEFAULT '',
        "moved_at" timestamptz NOT NULL DEFAULT now(),
        "actor_user_id" uuid,
        "actor_api_key_id" uuid,
        "created_at" timestamptz NOT NULL DEFAULT now(),
        CONSTRAINT "pk_stock_moves" PRIMARY KEY ("id"),
        CONSTRAINT "ck_stock_moves_quantity" CHECK ("quantity" > 0),
        CONSTRAINT "ck_stock_moves_locations" CHECK (
          COALESCE("from_location_id", "to_location_id") IS NOT NULL
          AND "from_location_id" IS DISTINCT FROM "to_location_id")
      )`,
    );
    await q.query(
      `CREATE INDEX "ix_stock_moves_organization_id_moved_at" ON "stock_moves" ("organization_id", "moved_at", "id")`,
    );
    await q.query(`CREATE INDEX "ix_stock_moves_product_id" ON "stock_moves" ("product_id")`);
    await q.query(
      `CREATE INDEX "ix_stock_moves_from_location_id" ON "stock_moves" ("from_location_id")`,
    );
    await q.query(
      `CREATE INDEX "ix_stock_moves_to_location_id" ON "stock_moves" ("to_location_id")`,
    );
    await q.query(`
      CREATE FUNCTION stock_moves_refuse_change() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        RAISE EXCEPTION 'stock_moves is an append-only ledger; post a reverse move instead'
          USING ERRCODE = 'insufficient_privilege';
      END $$`);
    await q.query(`
      CREATE TRIGGER "trg_stock_moves_append_only" BEFORE UPDATE OR DELETE ON "stock_moves"
      FOR EACH ROW EXECUTE FUNCTION stock_moves_refuse_change()`);
    await q.query(`
      CREATE TRIGGER "trg_stock_moves_no_truncate" BEFORE TRUNCATE ON "stock_moves"
      FOR EACH STATEMENT EXECUTE FUNCTION stock_moves_refuse_change()`);
    await createTable(
      q,
      `
      CREATE TABLE "stock_levels" (
        "organization_id" uuid NOT NULL REFERENCES "organizations" ("id") ON DELETE CASCADE,
        "product_id" uuid NOT NULL REFERENCES "products" ("id") ON DELETE RESTRICT,
        "location_id" uuid NOT NULL REFERENCES "stock_locations" ("id") ON DELETE RESTRICT,
        "quantity" numeric(20,6) NOT NULL DEFAULT 0,
        "updated_at" timestamptz NOT NULL DEFAULT now(),
        CONSTRAINT "pk_stock_levels" PRIMARY KEY ("product_id", "location_id")
      )`,
    );
    await q.query(
      `CREATE INDEX "ix_stock_levels_organization_id_location_id" ON "stock_levels" ("organization_id", "location_id")`,
    );

    // Row-level security: the same policy as the identity tenant tables.
    for (const table of TENANT_TABLES) {
      await q.query(`ALTER TABLE "${table}" ENABLE ROW LEVEL SECURITY`);
      await q.query(
        `CREATE POLICY "tenant_isolation" ON "${table}" TO alees_tenant
           USING (organization_id = current_setting('app.current_org', true)::uuid)
           WITH CHECK (organization_id = current_setting('app.current_org', true)::uuid)`,
      );
    }
    // Global reference data: tenants read it; only the platform (owner role) changes it.
    await q.query(
      `REVOKE INSERT, UPDATE, DELETE ON "currencies", "units_of_measure" FROM alees_tenant`,
    );
  }

  async down(q: QueryRunner): Promise<void> {
    for (const table of [
      'stock_levels',
      'stock_moves',
      'stock_locations',
      'warehouses',
      'product_attribute_schemas',
      'products',
      'tax_rates',
      'tax_categories',
      'tax_jurisdictions',
      ...CONTACT_CHILDREN,
      'contacts',
      'categories',
      'units_of_measure',
      'currencies',
    ]) {
      await q.query(`DROP TABLE "${table}"`);
    }
    await q.query(`DROP FUNCTION stock_moves_refuse_change()`);
    await q.query(`DROP FUNCTION contact_children_one_primary()`);
    // The extensions stay: other objects of the database may use them.
  }
}
