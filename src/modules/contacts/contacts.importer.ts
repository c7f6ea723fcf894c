import { plainToInstance } from 'class-transformer';
import { validateSync, ValidationError } from 'class-validator';
import type { EntityManager } from 'typeorm';
import { Conditions } from '../../core/database';
import { Injectable, OnModuleInit } from '@nestjs/common';
import { parseListQuery, RuleViolationError } from '../../core/http';
import { TenantDatabase } from '../../core/tenancy';
import { normalizeName } from '../../core/text';
import { CategoriesService } from '../categories';
import {
  actAsTenant,
  ConflictMode,
  copyRows,
  Importer,
  ImporterRegistry,
  LoadCounts,
  RowError,
} from '../imports';
import { CONTACT_LIST } from './contacts.service';
import { CreateContactDto } from './dto/contact.dto';
import { foldedContains } from '../../core/database/folded-text';

interface ContactImportRow {
  kind: string;
  displayName: string;
  firstName: string | null;
  lastName: string | null;
  companyName: string | null;
  taxNumber: string | null;
  email: string | null;
  phone: string | null;
  tags: string[];
  categoryId: string | null;
  notes: string;
}

const COLUMNS = [
  'kind',
  'displayName',
  'firstName',
  'lastName',
  'companyName',
  'taxNumber',
  'email',
  'phone',
  'tags',
  'categoryId',
  'notes',
] as const;
const CHILD_COLUMNS: Record<string, string> = { emails: 'email', phones: 'phone', number: 'phone' };

const flatten = (
  errors: ValidationError[],
  parent?: string,
): { column: string; message: string; rules: string[] }[] =>
  errors.flatMap((e) => {
    const column =
      CHILD_COLUMNS[e.property] ?? (/^\d+$/.test(e.property) && parent ? parent : e.property);
    return [
      ...Object.entries(e.constraints ?? {}).map(([rule, message]) => ({
        column,
        message,
        rules: [rule],
      })),
      ...flatten(e.children ?? [], column),
    ];
  });

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** Contacts with their primary email and phone: `POST /contacts` rules, keyed by primary email. */
export class ContactImporter implements Importer<ContactImportRow> {
  readonly resource = 'contacts' as const;
  readonly columns = COLUMNS;
  readonly multilineColumns = ['notes'];
  readonly keyColumn = 'email';
  private orgId = '';
  private readonly categories = new Map<string, Promise<boolean>>();

  constructor(
    private readonly db: TenantDatabase,
    private readonly categoryService: CategoriesService,
  ) {}

  /** Nothing to preload: categories are asked of their owner once per distinct id. */
  prepare(_manager: EntityManager, orgId: string): Promise<void> {
    this.orgId = orgId;
    return Promise.resolve();
  }

  /** Whether `id` is a contact category of the organization (`CategoriesService.assertUsable`). */
  private usableCategory(id: string): Promise<boolean> {
    let answer = this.categories.get(id);
    if (!answer) {
      answer = this.db.run(this.orgId, async (manager) => {
        try {
          await this.categoryService.assertUsable(manager, this.orgId, id, 'contact');
          return true;
        } catch (error) {
          if (error instanceof RuleViolationError) return false;
          throw error;
        }
      });
      this.categories.set(id, answer);
    }
    return answer;
  }

  async validate(
    values: Record<string, string>,
    line: number,
  ): Promise<{ row?: ContactImportRow; errors: RowError[] }> {
    const cell = (name: string) => {
      const value = (values[name] ?? '').trim();
      return value === '' ? undefined : value;
    };
    const rawEmail = cell('email'); // the key: normalised like the API's contact emails
    const email = rawEmail === undefined ? undefined : normalizeName(rawEmail) || undefined;
    const phone = cell('phone');
    const input = {
      kind: cell('kind'),
      displayName: cell('displayName'),
      firstName: cell('firstName'),
      lastName: cell('lastName'),
      companyName: cell('companyName'),
      taxNumber: cell('taxNumber'),
      notes: cell('notes'),
      tags: cell('tags')
        ?.split('|')
        .map((t) => normalizeName(t)),
      categoryId: cell('categoryId'),
      emails: email ? [{ email }] : undefined,
      phones: phone ? [{ number: phone }] : undefined,
    };
    const errors: RowError[] = flatten(
      validateSync(plainToInstance(CreateContactDto, input), {
        whitelist: true,
        forbidUnknownValues: false,
      }),
    ).map((issue) => ({ line, ...issue }));
    if (
      input.categoryId &&
      (!UUID.test(input.categoryId) || !(await this.usableCategory(input.categoryId.toLowerCase())))
    )
      errors.push({
        line,
        column: 'categoryId',
        message: 'not a contact category of this organization',
      });
    if (errors.length) return { errors };
    return {
      errors,
      row: {
        kind: input.kind!,
        displayName: input.displayName!,
        firstName: input.firstName ?? null,
        lastName: input.lastName ?? null,
        companyName: input.companyName ?? null,
        taxNumber: input.taxNumber ?? null,
        email: email ?? null,
        phone: phone ?? null,
        tags: [...new Set(input.tags ?? [])],
        categoryId: input.categoryId?.toLowerCase() ?? null,
        notes: input.notes ?? '',
      },
    };
  }

  key(row: ContactImportRow): string | undefined {
    return row.email?.toLowerCase();
  }

  async existing(manager: EntityManager, orgId: string, keys: string[]): Promise<Set<string>> {
    const rows = await manager.query<{ email: string }[]>(
      `SELECT lower(email) AS email FROM contact_emails
        WHERE organization_id = $1 AND is_primary AND lower(email) = ANY($2::text[])`,
      [orgId, keys.filter(Boolean)],
    );
    return new Set(rows.map((r) => r.email));
  }

  async load(
    manager: EntityManager,
    orgId: string,
    rows: ContactImportRow[],
    onConflict: ConflictMode,
  ): Promise<LoadCounts> {
    await actAsTenant(manager, orgId);
    await manager.query('DROP TABLE IF EXISTS pg_temp.import_contacts');
    await manager.query(`CREATE TEMP TABLE import_contacts (
        id uuid NOT NULL DEFAULT gen_uuid_v7(), existing_id uuid, kind text, display_name text, first_name text,
        last_name text, company_name text, tax_number text, email text, phone text, tags text, category_id uuid,
        notes text, phone_changed boolean NOT NULL DEFAULT false) ON COMMIT DROP`);
    await copyRows(
      manager,
      'import_contacts',
      [
        'kind',
        'display_name',
        'first_name',
        'last_name',
        'company_name',
        'tax_number',
        'email',
        'phone',
        'tags',
        'category_id',
        'notes',
      ],
      rows.map((r) => [
        r.kind,
        r.displayName,
        r.firstName,
        r.lastName,
        r.companyName,
        r.taxNumber,
        r.email,
        r.phone,
        r.tags.join('|'),
        r.categoryId,
        r.notes,
      ]),
    );
    await manager.query(
      `UPDATE import_contacts s SET existing_id = e.contact_id FROM contact_emails e
        WHERE e.organization_id = $1 AND e.is_primary AND lower(e.email) = lower(s.email)`,
      [orgId],
    );
    const tags = `CASE WHEN s.tags = '' OR s.tags IS NULL THEN '{}'::text[] ELSE string_to_array(s.tags, '|') END`;
    const [{ inserted }] = await manager.query<{ inserted: number }[]>(
      `WITH done AS (
         INSERT INTO contacts (id, organization_id, kind, display_name, first_name, last_name, company_name,
                               tax_number, tags, category_id, notes)
         SELECT s.id, $1, s.kind, s.display_name, s.first_name, s.last_name, s.company_name, s.tax_number, ${tags},
                s.category_id, s.notes
           FROM import_contacts s WHERE s.existing_id IS NULL RETURNING 1)
       SELECT count(*)::int AS inserted FROM done`,
      [orgId],
    );
    await manager.query(
      `INSERT INTO contact_emails (organization_id, contact_id, email, is_primary)
       SELECT $1, s.id, s.email, true FROM import_contacts s WHERE s.existing_id IS NULL AND s.email IS NOT NULL`,
      [orgId],
    );
    await manager.query(
      `INSERT INTO contact_phones (organization_id, contact_id, number, is_primary)
       SELECT $1, s.id, s.phone, true FROM import_contacts s WHERE s.existing_id IS NULL AND s.phone IS NOT NULL`,
      [orgId],
    );
    let updated = 0;
    if (onConflict === 'update') {
      // An empty cell of a nullable column means "no value": NULL, or the '' already stored (a CSV
      // cannot tell them apart, so an export re-imported unchanged changes nothing).
      const empty = (column: string) =>
        `CASE WHEN s.${column} IS NULL AND c.${column} = '' THEN c.${column} ELSE s.${column} END`;
      // A phone cell that differs from the primary phone replaces it (an empty one leaves phones alone).
      await manager.query(
        `UPDATE import_contacts s SET phone_changed = true
          WHERE s.existing_id IS NOT NULL AND s.phone IS NOT NULL
            AND NOT EXISTS (SELECT 1 FROM contact_phones p
                             WHERE p.contact_id = s.existing_id AND p.is_primary AND p.number = s.phone)`,
      );
      const [result] = await manager.query<{ updated: number }[]>(
        `WITH done AS (
           UPDATE contacts c SET kind = s.kind, display_name = s.display_name, first_name = ${empty('first_name')},
                  last_name = ${empty('last_name')}, company_name = ${empty('company_name')},
                  tax_number = ${empty('tax_number')}, tags = ${tags}, category_id = s.category_id, notes = s.notes,
                  version = c.version + 1, updated_at = now()
             FROM import_contacts s
            WHERE c.id = s.existing_id AND c.organization_id = $1
              AND (s.phone_changed
                OR (c.kind, c.display_name, c.first_name, c.last_name, c.company_name, c.tax_number, c.tags,
                    c.category_id, c.notes)
                   IS DISTINCT FROM (s.kind, s.display_name, ${empty('first_name')}, ${empty('last_name')},
                    ${empty('company_name')}, ${empty('tax_number')}, ${tags}, s.category_id, s.notes))
           RETURNING 1)
         SELECT count(*)::int AS updated FROM done`,
        [orgId],
      );
      updated = result.updated;
      await manager.query(
        `UPDATE contact_phones p SET number = s.phone FROM import_contacts s
          WHERE s.phone_changed AND p.contact_id = s.existing_id AND p.is_primary AND p.organization_id = $1`,
        [orgId],
      );
      await manager.query(
        `INSERT INTO contact_phones (organization_id, contact_id, number, is_primary)
         SELECT $1, s.existing_id, s.phone, true FROM import_contacts s
          WHERE s.phone_changed
            AND NOT EXISTS (SELECT 1 FROM contact_phones p WHERE p.contact_id = s.existing_id AND p.is_primary)`,
        [orgId],
      );
    }
    return { inserted, updated, skipped: rows.length - inserted - updated };
  }

  async exportRows(
    manager: EntityManager,
    orgId: string,
    filters: Record<string, unknown>,
    after: string | undefined,
    limit: number,
  ): Promise<{ values: unknown[][]; last?: string }> {
    const { kind, tag, categoryId, q } = parseListQuery(CONTACT_LIST, filters, {
      defaultSize: limit,
      maxSize: limit,
    }).filters;
    const where = new Conditions()
      .add('c.organization_id = ?', orgId)
      .addIf(kind, 'c.kind = ?')
      .addIf(tag, '? = ANY(c.tags)')
      .addIf(categoryId, 'c.category_id = ?')
      .addIf(
        q,
        `(${foldedContains('c.display_name')} OR ${foldedContains('c.company_name')})`,
        q,
        q,
      );
    if (after !== undefined) where.add('c.id > ?', after);
    const rows = await manager.query<Record<string, unknown>[]>(
      `SELECT c.id, c.kind, c.display_name, c.first_name, c.last_name, c.company_name, c.tax_number,
              (SELECT email FROM contact_emails WHERE contact_id = c.id AND is_primary) AS email,
              (SELECT number FROM contact_phones WHERE contact_id = c.id AND is_primary) AS phone,
              array_to_string(c.tags, '|') AS tags, c.category_id, c.notes
         FROM contacts c WHERE ${where.sql} ORDER BY c.id LIMIT ${Number(limit)}`,
      where.params,
    );
    return {
      values: rows.map((r) =>
        COLUMNS.map((column) => r[column.replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`)]),
      ),
      last: rows.length ? String(rows[rows.length - 1].id) : undefined,
    };
  }
}

/** Registers the contacts importer with the import pipeline (see modules/imports). */
@Injectable()
export class ContactImporterRegistration implements OnModuleInit {
  constructor(
    private readonly registry: ImporterRegistry,
    private readonly db: TenantDatabase,
    private readonly categories: CategoriesService,
  ) {}

  onModuleInit(): void {
    this.registry.register({
      resource: 'contacts',
      list: CONTACT_LIST,
      create: () => new ContactImporter(this.db, this.categories),
    });
  }
}
