import { Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import { v7 as uuidv7 } from 'uuid';
import type { AuditContext } from '../../core/auth';
import { iso } from '../../core/database';
import {
  defineList,
  ExpectedVersion,
  ListDefinition,
  ListQuery,
  NotFoundError,
  Page,
  toPage,
} from '../../core/http';
import { TenantDatabase } from '../../core/tenancy';
import { AuditService } from '../audit';
import { CategoriesService } from '../categories';
import { TagActor, TagsService } from '../tags';
import { CustomFieldsService } from '../custom-fields';
import { CONTACT_KINDS } from './contact.entity';
import type { ContactDto, CreateContactDto, UpdateContactDto } from './dto/contact.dto';
import { ContactsErrors } from './contacts.errors';
import {
  CONTACT_FILTER_FIELDS,
  ContactFilter,
  ContactRow,
  ContactsRepository,
  ContactSort,
} from './contacts.repository';

type Child = { label?: string; isPrimary?: boolean };
type Sort = ContactSort;
type Filter = ContactFilter;
export const CONTACT_LIST: ListDefinition<Sort, Filter> = defineList({
  resource: 'contacts',
  sortable: ['displayName', 'createdAt', 'updatedAt'],
  defaultSort: 'displayName',
  filters: {
    kind: { enum: CONTACT_KINDS },
    tag: 'names',
    tagAny: 'names',
    categoryId: 'uuid',
    q: 'string',
  },
  fields: CONTACT_FILTER_FIELDS,
  // The list reads `contacts c`, so the document is `c.custom_fields`.
  customFields: { entityType: 'contact', column: 'c.custom_fields' },
});
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
  customFields: row.custom_fields,
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
  'customFields',
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
    private readonly db: TenantDatabase,
    private readonly repository: ContactsRepository,
    private readonly audit: AuditService,
    private readonly categories: CategoriesService,
    private readonly tags: TagsService,
    private readonly customFields: CustomFieldsService,
  ) {}

  list(orgId: string, query: ListQuery<Sort, Filter>): Promise<Page<ContactDto>> {
    // Read path: one round trip per statement (no BEGIN/COMMIT), RLS as in `run` (SPEC §8).
    return this.db.read(orgId, async (manager) => {
      const { rows, total } = await this.repository.page(manager, orgId, query);
      return toPage(rows.map(toDto), total, query);
    });
  }

  private async find(manager: EntityManager, orgId: string, id: string): Promise<ContactDto> {
    const row = await this.repository.findById(manager, orgId, id);
    if (!row) throw new NotFoundError('Contact');
    return toDto(row);
  }

  get(orgId: string, id: string): Promise<ContactDto> {
    return this.db.read(orgId, (manager) => this.find(manager, orgId, id));
  }

  /** Replaces the lists given in `dto` (a list left out is kept). */
  private async writeLists(
    manager: EntityManager,
    orgId: string,
    contactId: string,
    dto: UpdateContactDto,
  ): Promise<void> {
    await this.repository.replaceLists(manager, orgId, contactId, {
      emails: dto.emails && withOnePrimary(dto.emails, 'emails'),
      phones: dto.phones && withOnePrimary(dto.phones, 'phones'),
      addresses: dto.addresses && withOnePrimary(dto.addresses, 'addresses'),
    });
  }

  /** `actor`: whose rights decide whether unknown tag names create tags (`tags:create`). */
  create(
    orgId: string,
    dto: CreateContactDto,
    context: AuditContext,
    actor: TagActor,
  ): Promise<ContactDto> {
    return this.db.run(orgId, async (manager) => {
      if (dto.categoryId)
        await this.categories.assertUsable(manager, orgId, dto.categoryId, 'contact');
      const customFields = await this.customFields.validate(
        manager,
        orgId,
        'contact',
        dto.customFields ?? {},
      );
      const id = uuidv7();
      await this.repository.insert(manager, orgId, {
        id,
        kind: dto.kind,
        displayName: dto.displayName,
        firstName: dto.firstName ?? null,
        lastName: dto.lastName ?? null,
        companyName: dto.companyName ?? null,
        taxNumber: dto.taxNumber ?? null,
        notes: dto.notes ?? '',
        categoryId: dto.categoryId ?? null,
        customFields,
      });
      if (dto.tags?.length)
        await this.tags.setTagsMany(manager, orgId, actor, 'contact', [
          { targetId: id, names: dto.tags, fresh: true },
        ]);
      await this.writeLists(manager, orgId, id, dto);
      const created = await this.find(manager, orgId, id);
      await this.audit.record(manager, {
        organizationId: orgId,
        action: 'create',
        entityType: 'contact',
        entityId: id,
        changes: {
          kind: created.kind,
          displayName: created.displayName,
          ...(created.tags.length ? { tags: created.tags } : {}),
        },
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
    actor: TagActor,
  ): Promise<ContactDto> {
    return this.db.run(orgId, async (manager) => {
      return this.audit.updateGuarded(manager, expectedVersion, {
        read: () => this.find(manager, orgId, id),
        fields: AUDITED,
        write: async (before) => {
          if (dto.categoryId)
            await this.categories.assertUsable(manager, orgId, dto.categoryId, 'contact');
          await this.repository.update(manager, orgId, id, before.version, {
            kind: dto.kind,
            displayName: dto.displayName,
            firstName: dto.firstName,
            lastName: dto.lastName,
            companyName: dto.companyName,
            taxNumber: dto.taxNumber,
            notes: dto.notes,
            categoryId: dto.categoryId,
            // PATCH merges: the keys sent replace the stored ones, null removes one.
            customFields: dto.customFields
              ? await this.customFields.validate(manager, orgId, 'contact', dto.customFields, {
                  previous: before.customFields,
                })
              : undefined,
          });
          if (dto.tags)
            await this.tags.setTagsMany(manager, orgId, actor, 'contact', [
              { targetId: id, names: dto.tags },
            ]);
          await this.writeLists(manager, orgId, id, dto);
          return await this.find(manager, orgId, id);
        },
        entry: { organizationId: orgId, entityType: 'contact', entityId: id, context },
      });
    });
  }

  delete(
    orgId: string,
    id: string,
    expectedVersion: ExpectedVersion,
    context: AuditContext,
  ): Promise<void> {
    return this.db.run(orgId, async (manager) => {
      await this.audit.deleteGuarded(manager, expectedVersion, {
        read: () => this.find(manager, orgId, id),
        remove: () => this.repository.delete(manager, orgId, id),
        // What hangs off it (attachments, comments, followers, …) goes with it.
        target: 'contact',
        entry: { organizationId: orgId, entityType: 'contact', entityId: id, context },
        changes: (before) => ({ kind: before.kind, displayName: before.displayName }),
      });
    });
  }
}
