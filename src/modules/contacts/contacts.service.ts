import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, EntityManager } from 'typeorm';
import { v7 as uuidv7 } from 'uuid';
import type { AuditContext } from '../../core/auth';
import { Conditions, contains, iso, orderBy, returningRows, selectPage } from '../../core/database';
import {
  assertVersionMatches,
  ExpectedVersion,
  ListDefinition,
  ListQuery,
  NotFoundError,
  Page,
  PreconditionFailedError,
  toPage,
} from '../../core/http';
import { withTenant } from '../../core/tenancy';
import { AuditService } from '../audit';
import { CategoriesService } from '../categories';
import { CONTACT_KINDS, ContactKind } from './contact.entity';
import type { ContactDto, CreateContactDto, UpdateContactDto } from './dto/contact.dto';
import { foldedContains } from '../../core/database/folded-text';
import { ContactsErrors } from './contacts.errors';

type Child = { label?: string; isPrimary?: boolean };
interface ContactRow {
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

type Sort = 'displayName' | 'createdAt' | 'updatedAt';
type Filter = 'kind' | 'tag' | 'categoryId' | 'q';
export const CONTACT_LIST: ListDefinition<Sort, Filter> = {
  sortable: ['displayName', 'createdAt', 'updatedAt'],
  defaultSort: 'displayName',
  filters: { kind: { enum: CONTACT_KINDS }, tag: 'string', categoryId: 'uuid', q: 'string' },
};
const SORT_COLUMNS: Record<Sort, string> = {
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

const toDto = (row: ContactRow): ContactDto => ({
  id: row.id,
  kind: row.kind,
  displayName: row.display_name,
  firstName: row.first_name,
  lastName: row.last_name,
  companyName: row.company_name,
  taxNumber: row.tax_number,
  notes: row.notes,
  tags: row.tags,
  categoryId: row.category_id,
  emails: row.emails,
  phones: row.phones,
  addresses: row.addresses,
  createdAt: iso(row.created_at)!,
  updatedAt: iso(row.updated_at)!,
  version: row.version,
});

const AUDITED: (keyof ContactDto)[] = [
  'kind',
  'displayName',
  'firstName',
  'lastName',
  'companyName',
  'taxNumber',
  'notes',
  'tags',
  'categoryId',
  'emails',
  'phones',
  'addresses',
];

/**
 * Marks exactly one item primary: the one the client marked, else the first. Two marked is the
 * client's mistake (422 `multiple_primary`); the database's deferred trigger is the second wall.
 */
function withOnePrimary<T extends Child>(
  items: T[],
  field: string,
): (T & { isPrimary: boolean })[] {
  const marked = items.filter((i) => i.isPrimary).length;
  if (marked > 1) {
    throw ContactsErrors.multiple_primary(field);
  }
  return items.map((item, index) => ({
    ...item,
    isPrimary: marked === 0 ? index === 0 : item.isPrimary === true,
  }));
}

/** Contacts (people and companies) with their emails, phones and addresses, per organization. */
@Injectable()
export class ContactsService {
  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly audit: AuditService,
    private readonly categories: CategoriesService,
  ) {}

  list(orgId: string, query: ListQuery<Sort, Filter>): Promise<Page<ContactDto>> {
    return withTenant(this.dataSource, orgId, async (manager) => {
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
        );
      const { rows, total } = await selectPage<ContactRow>(manager, {
        select: COLUMNS,
        from: 'contacts c',
        where,
        order: orderBy(query.sort, SORT_COLUMNS, 'c.id ASC'),
        query,
      });
      return toPage(rows.map(toDto), total, query);
    });
  }

  private async find(manager: EntityManager, orgId: string, id: string): Promise<ContactDto> {
    const [row] = await manager.query<ContactRow[]>(
      `SELECT ${COLUMNS} FROM contacts c WHERE c.organization_id = $1 AND c.id = $2`,
      [orgId, id],
    );
    if (!row) throw new NotFoundError('Contact');
    return toDto(row);
  }

  get(orgId: string, id: string): Promise<ContactDto> {
    return withTenant(this.dataSource, orgId, (manager) => this.find(manager, orgId, id));
  }

  /** Replaces the lists given in `dto` (a list left out is kept). */
  private async writeLists(
    manager: EntityManager,
    orgId: string,
    contactId: string,
    dto: UpdateContactDto,
  ): Promise<void> {
    if (dto.emails) {
      const emails = withOnePrimary(dto.emails, 'emails');
      await manager.query('DELETE FROM contact_emails WHERE contact_id = $1', [contactId]);
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
    if (dto.phones) {
      const phones = withOnePrimary(dto.phones, 'phones');
      await manager.query('DELETE FROM contact_phones WHERE contact_id = $1', [contactId]);
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
    if (dto.addresses) {
      const addresses = withOnePrimary(dto.addresses, 'addresses');
      await manager.query('DELETE FROM contact_addresses WHERE contact_id = $1', [contactId]);
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

  create(orgId: string, dto: CreateContactDto, context: AuditContext): Promise<ContactDto> {
    return withTenant(this.dataSource, orgId, async (manager) => {
      if (dto.categoryId)
        await this.categories.assertUsable(manager, orgId, dto.categoryId, 'contact');
      const id = uuidv7();
      await manager.query(
        `INSERT INTO contacts (id, organization_id, kind, display_name, first_name, last_name,
                               company_name, tax_number, notes, tags, category_id)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)`,
        [
          id,
          orgId,
          dto.kind,
          dto.displayName,
          dto.firstName ?? null,
          dto.lastName ?? null,
          dto.companyName ?? null,
          dto.taxNumber ?? null,
          dto.notes ?? '',
          [...new Set(dto.tags ?? [])],
          dto.categoryId ?? null,
        ],
      );
      await this.writeLists(manager, orgId, id, dto);
      const created = await this.find(manager, orgId, id);
      await this.audit.record(manager, {
        organizationId: orgId,
        action: 'create',
        entityType: 'contact',
        entityId: id,
        changes: { kind: created.kind, displayName: created.displayName },
        context,
      });
      return created;
    });
  }

  update(
    orgId: string,
    id: string,
    dto: UpdateContactDto,
    expectedVersion: ExpectedVersion,
    context: AuditContext,
  ): Promise<ContactDto> {
    return withTenant(this.dataSource, orgId, async (manager) => {
      const before = await this.find(manager, orgId, id);
      assertVersionMatches(expectedVersion, before.version);
      if (dto.categoryId)
        await this.categories.assertUsable(manager, orgId, dto.categoryId, 'contact');
      const set = (field: keyof UpdateContactDto) => dto[field] !== undefined;
      return this.audit.recordUpdate(
        manager,
        before,
        AUDITED,
        async () => {
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
              before.version,
              dto.kind ?? null,
              dto.displayName ?? null,
              set('firstName'),
              dto.firstName ?? null,
              set('lastName'),
              dto.lastName ?? null,
              set('companyName'),
              dto.companyName ?? null,
              set('taxNumber'),
              dto.taxNumber ?? null,
              dto.notes ?? null,
              dto.tags ? [...new Set(dto.tags)] : null,
              set('categoryId'),
              dto.categoryId ?? null,
            ],
          );
          if (rows.length !== 1) throw new PreconditionFailedError();
          await this.writeLists(manager, orgId, id, dto);
          return await this.find(manager, orgId, id);
        },
        {
          organizationId: orgId,
          action: 'update',
          entityType: 'contact',
          entityId: id,
          context,
        },
      );
    });
  }

  delete(
    orgId: string,
    id: string,
    expectedVersion: ExpectedVersion,
    context: AuditContext,
  ): Promise<void> {
    return withTenant(this.dataSource, orgId, async (manager) => {
      const before = await this.find(manager, orgId, id);
      assertVersionMatches(expectedVersion, before.version);
      await manager.query('DELETE FROM contacts WHERE organization_id = $1 AND id = $2', [
        orgId,
        id,
      ]);
      await this.audit.record(manager, {
        organizationId: orgId,
        action: 'delete',
        entityType: 'contact',
        entityId: id,
        changes: { kind: before.kind, displayName: before.displayName },
        context,
      });
    });
  }
}
