import { Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import {
  Conditions,
  contains,
  deleteTenantRow,
  orderBy,
  returningRows,
  selectPage,
  tenantRowExists,
} from '../../core/database';
import { foldedContains } from '../../core/database/folded-text';
import type { CompiledFilter, FilterField } from '../../core/filters';
import { ListQuery, PreconditionFailedError } from '../../core/http';
import { actAsTenant, ConflictMode, copyRows, LoadedRows } from '../imports';
import { CONTACT_KINDS } from './contact.entity';
import type { ContactKind } from './contact.entity';
import type { ContactDto } from './dto/contact.dto';

/** A contact with its emails, phones and addresses (JSON arrays in position order). */
export interface ContactRow {
  id: string;
  kind: ContactKind;
  display_name: string;
  first_name: string | null;
  last_name: string | null;
  company_name: string | null;
  tax_number: string | null;
  notes: string;
  tags: string[];
  category_id: string | null;
  emails: ContactDto['emails'];
  phones: ContactDto['phones'];
  addresses: ContactDto['addresses'];
  created_at: Date;
  updated_at: Date;
  version: number;
}

/** One validated import row (see `contacts.importer.ts`). */
export interface ContactImportRow {
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

/** Sort keys and filters of a contact list. */
export type ContactSort = 'displayName' | 'createdAt' | 'updatedAt';
export type ContactFilter = 'kind' | 'tag' | 'categoryId' | 'q';

/** The scalar columns of a new contact (the id comes from the caller, uuid v7). */
export interface NewContact {
  id: string;
  kind: ContactKind;
  displayName: string;
  firstName: string | null;
  lastName: string | null;
  companyName: string | null;
  taxNumber: string | null;
  notes: string;
  tags: string[];
  categoryId: string | null;
}

/**
 * A contact's scalar changes: `undefined` keeps the column (for the nullable ones, `null` clears
 * it).
 */
export interface ContactChanges {
  kind?: ContactKind;
  displayName?: string;
  firstName?: string | null;
  lastName?: string | null;
  companyName?: string | null;
  taxNumber?: string | null;
  notes?: string;
  tags?: string[];
  categoryId?: string | null;
}

/** The child lists, each already with exactly one primary (the service decides which). */
export interface ContactLists {
  emails?: { email: string; label?: string; isPrimary: boolean }[];
  phones?: { number: string; label?: string; isPrimary: boolean }[];
  addresses?: {
    line1: string;
    line2?: string | null;
    city: string;
    region?: string | null;
    postalCode?: string | null;
    countryCode: string;
    label?: string;
    isPrimary: boolean;
  }[];
}

const SORT_COLUMNS: Record<ContactSort, string> = {
  displayName: 'c.display_name',
  createdAt: 'c.created_at',
  updatedAt: 'c.updated_at',
};

/** Children as JSON arrays in the same statement: a page costs one query, whatever its size. */
const COLUMNS = `c.id, c.kind, c.display_name, c.first_name, c.last_name, c.company_name, c.tax_number,
  c.notes, c.tags, c.category_id, c.created_at, c.updated_at, c.version,
  (SELECT COALESCE(json_agg(json_build_object('email', e.email, 'label', e.label, 'isPrimary', e.is_primary)
          ORDER BY e.position), '[]') FROM contact_emails e WHERE e.contact_id = c.id) AS emails,
  (SELECT COALESCE(json_agg(json_build_object('number', p.number, 'label', p.label, 'isPrimary', p.is_primary)
          ORDER BY p.position), '[]') FROM contact_phones p WHERE p.contact_id = c.id) AS phones,
  (SELECT COALESCE(json_agg(json_build_object('line1', a.line1, 'line2', a.line2, 'city', a.city,
          'region', a.region, 'postalCode', a.postal_code, 'countryCode', a.country_code,
          'label', a.label, 'isPrimary', a.is_primary) ORDER BY a.position), '[]')
     FROM contact_addresses a WHERE a.contact_id = c.id) AS addresses`;

const CATEGORY = {
  from: 'categories filter_category',
  join: 'filter_category.id = c.category_id AND filter_category.organization_id = c.organization_id',
};
/** `?filter=` fields of a contact list (issue 18); the list reads `contacts c`. */
export const CONTACT_FILTER_FIELDS: Record<string, FilterField> = {
  id: { type: 'uuid', column: 'c.id' },
  kind: { type: { enum: CONTACT_KINDS }, column: 'c.kind' },
  displayName: { type: 'string', column: 'c.display_name' },
  firstName: { type: 'string', column: 'c.first_name' },
  lastName: { type: 'string', column: 'c.last_name' },
  companyName: { type: 'string', column: 'c.company_name' },
  taxNumber: { type: 'string', column: 'c.tax_number' },
  notes: { type: 'text', column: 'c.notes' },
  tags: { type: 'string[]', column: 'c.tags' },
  categoryId: { type: 'uuid', column: 'c.category_id' },
  createdAt: { type: 'datetime', column: 'c.created_at' },
  updatedAt: { type: 'datetime', column: 'c.updated_at' },
  'category.name': { type: 'string', column: 'filter_category.name', relation: CATEGORY },
  'emails.email': {
    type: 'text',
    column: 'filter_email.email',
    relation: {
      from: 'contact_emails filter_email',
      join: 'filter_email.contact_id = c.id AND filter_email.organization_id = c.organization_id',
    },
  },
  'phones.number': {
    type: 'text',
    column: 'filter_phone.number',
    relation: {
      from: 'contact_phones filter_phone',
      join: 'filter_phone.contact_id = c.id AND filter_phone.organization_id = c.organization_id',
    },
  },
};

/**
 * The only SQL on `contacts`, `contact_emails`, `contact_phones` and `contact_addresses`. Every
 * method takes the caller's transaction and the organization id first and filters by it; none
 * opens a transaction.
 */
@Injectable()
export class ContactsRepository {
  /** One offset page of contacts with their children. */
  page(
    manager: EntityManager,
    orgId: string,
    query: ListQuery<ContactSort, ContactFilter>,
  ): Promise<{ rows: ContactRow[]; total: number }> {
    const { kind, tag, categoryId, q } = query.filters;
    const where = new Conditions()
      .add('c.organization_id = ?', orgId)
      .addIf(kind, 'c.kind = ?')
      .addIf(tag, '? = ANY(c.tags)')
      .addIf(categoryId, 'c.category_id = ?')
      .addIf(
        q,
        // Names compare folded (accents and Unicode forms ignored, as in modules/search).
        `(${foldedContains('c.display_name')} OR ${foldedContains('c.company_name')}
          OR EXISTS (SELECT 1 FROM contact_emails e WHERE e.contact_id = c.id AND e.email ILIKE ?))`,
        q,
        q,
        contains(q),
      )
      .addFilter(query.filter);
    return selectPage<ContactRow>(manager, {
      select: COLUMNS,
      from: 'contacts c',
      where,
      order: orderBy(query.sort, SORT_COLUMNS, 'c.id ASC'),
      query,
    });
  }

  /** Whether the organization has the contact `id`. */
  async exists(
    manager: EntityManager,
    orgId: string,
    id: string,
    options: { forShare?: boolean } = {},
  ): Promise<boolean> {
    return tenantRowExists(manager, 'contacts', orgId, id, options);
  }

  /** The contact `id` with its children, or `undefined`. */
  async findById(
    manager: EntityManager,
    orgId: string,
    id: string,
  ): Promise<ContactRow | undefined> {
    const [row] = await manager.query<ContactRow[]>(
      `SELECT ${COLUMNS} FROM contacts c WHERE c.organization_id = $1 AND c.id = $2`,
      [orgId, id],
    );
    return row;
  }

  /** Inserts the contact row (children: {@link replaceLists}). */
  async insert(manager: EntityManager, orgId: string, contact: NewContact): Promise<void> {
    await manager.query(
      `INSERT INTO contacts (id, organization_id, kind, display_name, first_name, last_name,
                             company_name, tax_number, notes, tags, category_id)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)`,
      [
        contact.id,
        orgId,
        contact.kind,
        contact.displayName,
        contact.firstName,
        contact.lastName,
        contact.companyName,
        contact.taxNumber,
        contact.notes,
        contact.tags,
        contact.categoryId,
      ],
    );
  }

  /**
   * Guarded update of the contact's scalar columns if it is still at `version` (version bumped).
   * Throws `PreconditionFailedError` (412) when it changed or went since it was read.
   */
  async update(
    manager: EntityManager,
    orgId: string,
    id: string,
    version: number,
    changes: ContactChanges,
  ): Promise<void> {
    const set = (field: keyof ContactChanges) => changes[field] !== undefined;
    const rows = await returningRows<{ id: string }>(
      manager,
      `UPDATE contacts SET
          kind = COALESCE($4, kind), display_name = COALESCE($5, display_name),
          first_name = CASE WHEN $6 THEN $7 ELSE first_name END,
          last_name = CASE WHEN $8 THEN $9 ELSE last_name END,
          company_name = CASE WHEN $10 THEN $11 ELSE company_name END,
          tax_number = CASE WHEN $12 THEN $13 ELSE tax_number END,
          notes = COALESCE($14, notes), tags = COALESCE($15, tags),
          category_id = CASE WHEN $16 THEN $17::uuid ELSE category_id END,
          version = version + 1, updated_at = now()
        WHERE organization_id = $1 AND id = $2 AND version = $3 RETURNING id`,
      [
        orgId,
        id,
        version,
        changes.kind ?? null,
        changes.displayName ?? null,
        set('firstName'),
        changes.firstName ?? null,
        set('lastName'),
        changes.lastName ?? null,
        set('companyName'),
        changes.companyName ?? null,
        set('taxNumber'),
        changes.taxNumber ?? null,
        changes.notes ?? null,
        changes.tags ?? null,
        set('categoryId'),
        changes.categoryId ?? null,
      ],
    );
    if (rows.length !== 1) throw new PreconditionFailedError();
  }

  /** Replaces each child list given in `lists` (a list left out is kept), in the given order. */
  async replaceLists(
    manager: EntityManager,
    orgId: string,
    contactId: string,
    lists: ContactLists,
  ): Promise<void> {
    const { emails, phones, addresses } = lists;
    if (emails) {
      await manager.query(
        'DELETE FROM contact_emails WHERE organization_id = $1 AND contact_id = $2',
        [orgId, contactId],
      );
      await manager.query(
        `INSERT INTO contact_emails (organization_id, contact_id, email, label, is_primary, position)
         SELECT $1, $2, e, l, p, o - 1
           FROM unnest($3::text[], $4::text[], $5::boolean[]) WITH ORDINALITY AS t(e, l, p, o)`,
        [
          orgId,
          contactId,
          emails.map((e) => e.email),
          emails.map((e) => e.label ?? ''),
          emails.map((e) => e.isPrimary),
        ],
      );
    }
    if (phones) {
      await manager.query(
        'DELETE FROM contact_phones WHERE organization_id = $1 AND contact_id = $2',
        [orgId, contactId],
      );
      await manager.query(
        `INSERT INTO contact_phones (organization_id, contact_id, number, label, is_primary, position)
         SELECT $1, $2, n, l, p, o - 1
           FROM unnest($3::text[], $4::text[], $5::boolean[]) WITH ORDINALITY AS t(n, l, p, o)`,
        [
          orgId,
          contactId,
          phones.map((p) => p.number),
          phones.map((p) => p.label ?? ''),
          phones.map((p) => p.isPrimary),
        ],
      );
    }
    if (addresses) {
      await manager.query(
        'DELETE FROM contact_addresses WHERE organization_id = $1 AND contact_id = $2',
        [orgId, contactId],
      );
      await manager.query(
        `INSERT INTO contact_addresses (organization_id, contact_id, line1, line2, city, region,
                                        postal_code, country_code, label, is_primary, position)
         SELECT $1, $2, l1, l2, ci, r, pc, cc, lb, p, o - 1
           FROM unnest($3::text[], $4::text[], $5::text[], $6::text[], $7::text[], $8::text[],
                       $9::text[], $10::boolean[]) WITH ORDINALITY AS t(l1, l2, ci, r, pc, cc, lb, p, o)`,
        [
          orgId,
          contactId,
          addresses.map((a) => a.line1),
          addresses.map((a) => a.line2 ?? null),
          addresses.map((a) => a.city),
          addresses.map((a) => a.region ?? null),
          addresses.map((a) => a.postalCode ?? null),
          addresses.map((a) => a.countryCode),
          addresses.map((a) => a.label ?? ''),
          addresses.map((a) => a.isPrimary),
        ],
      );
    }
  }

  /** Deletes the contact (its children go by cascade). */
  async delete(manager: EntityManager, orgId: string, id: string): Promise<void> {
    await deleteTenantRow(manager, 'contacts', orgId, id);
  }

  /** Which of `keys` (primary emails) the organization's contacts already have. */
  async importExisting(
    manager: EntityManager,
    orgId: string,
    keys: string[],
  ): Promise<Set<string>> {
    const rows = await manager.query<{ email: string }[]>(
      `SELECT lower(email) AS email FROM contact_emails
        WHERE organization_id = $1 AND is_primary AND lower(email) = ANY($2::text[])`,
      [orgId, keys.filter(Boolean)],
    );
    return new Set(rows.map((r) => r.email));
  }

  /**
   * Loads an import batch set-based (COPY into a staging temp table, then set-based SQL on the
   * contact tables). Switches the transaction to the tenant role first.
   */
  async importBatch(
    manager: EntityManager,
    orgId: string,
    rows: ContactImportRow[],
    onConflict: ConflictMode,
  ): Promise<LoadedRows> {
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
    const [{ inserted, insertedIds }] = await manager.query<
      { inserted: number; insertedIds: string[] }[]
    >(
      `WITH done AS (
         INSERT INTO contacts (id, organization_id, kind, display_name, first_name, last_name, company_name,
                               tax_number, tags, category_id, notes)
         SELECT s.id, $1, s.kind, s.display_name, s.first_name, s.last_name, s.company_name, s.tax_number, ${tags},
                s.category_id, s.notes
           FROM import_contacts s WHERE s.existing_id IS NULL RETURNING id)
       SELECT count(*)::int AS inserted, coalesce(array_agg(id::text), '{}') AS "insertedIds" FROM done`,
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
    let updatedIds: string[] = [];
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
      const [result] = await manager.query<{ updated: number; updatedIds: string[] }[]>(
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
           RETURNING c.id)
         SELECT count(*)::int AS updated, coalesce(array_agg(id::text), '{}') AS "updatedIds" FROM done`,
        [orgId],
      );
      updated = result.updated;
      updatedIds = result.updatedIds;
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
    return {
      inserted,
      updated,
      skipped: rows.length - inserted - updated,
      insertedIds,
      updatedIds,
    };
  }

  /** One export page of contacts matching the list filters, after id `after` (keyset by id). */
  async exportPage(
    manager: EntityManager,
    orgId: string,
    filters: ListQuery<ContactSort, ContactFilter>['filters'],
    after: string | undefined,
    limit: number,
    filter?: CompiledFilter,
  ): Promise<Record<string, unknown>[]> {
    const { kind, tag, categoryId, q } = filters;
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
      )
      .addFilter(filter);
    if (after !== undefined) where.add('c.id > ?', after);
    const rows = await manager.query<Record<string, unknown>[]>(
      `SELECT c.id, c.kind, c.display_name, c.first_name, c.last_name, c.company_name, c.tax_number,
              (SELECT email FROM contact_emails WHERE contact_id = c.id AND is_primary) AS email,
              (SELECT number FROM contact_phones WHERE contact_id = c.id AND is_primary) AS phone,
              array_to_string(c.tags, '|') AS tags, c.category_id, c.notes
         FROM contacts c WHERE ${where.sql} ORDER BY c.id LIMIT ${Number(limit)}`,
      where.params,
    );
    return rows;
  }
}
