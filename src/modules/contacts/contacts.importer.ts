import { plainToInstance } from 'class-transformer';
import { validateSync, ValidationError } from 'class-validator';
import type { EntityManager } from 'typeorm';
import { Injectable, OnModuleInit } from '@nestjs/common';
import type { CompiledFilter } from '../../core/filters';
import { parseListQuery, RuleViolationError } from '../../core/http';
import { TenantDatabase } from '../../core/tenancy';
import { normalizeName } from '../../core/text';
import { CategoriesService } from '../categories';
import { ConflictMode, Importer, ImporterRegistry, LoadedRows, RowError } from '../imports';
import { CONTACT_LIST } from './contacts.service';
import { CreateContactDto } from './dto/contact.dto';
import { ContactImportRow, ContactsRepository } from './contacts.repository';

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
  readonly entityType = 'contact';
  readonly columns = COLUMNS;
  readonly multilineColumns = ['notes'];
  readonly keyColumn = 'email';
  private orgId = '';
  private readonly categories = new Map<string, Promise<boolean>>();

  constructor(
    private readonly db: TenantDatabase,
    private readonly categoryService: CategoriesService,
    private readonly repository: ContactsRepository,
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

  existing(manager: EntityManager, orgId: string, keys: string[]): Promise<Set<string>> {
    return this.repository.importExisting(manager, orgId, keys);
  }

  load(
    manager: EntityManager,
    orgId: string,
    rows: ContactImportRow[],
    onConflict: ConflictMode,
  ): Promise<LoadedRows> {
    return this.repository.importBatch(manager, orgId, rows, onConflict);
  }

  async exportRows(
    manager: EntityManager,
    orgId: string,
    filters: Record<string, unknown>,
    after: string | undefined,
    limit: number,
    filter?: CompiledFilter,
  ): Promise<{ values: unknown[][]; last?: string }> {
    const { kind, tag, categoryId, q } = parseListQuery(CONTACT_LIST, filters, {
      defaultSize: limit,
      maxSize: limit,
    }).filters;
    const rows = await this.repository.exportPage(
      manager,
      orgId,
      { kind, tag, categoryId, q },
      after,
      limit,
      filter,
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
    private readonly repository: ContactsRepository,
  ) {}

  onModuleInit(): void {
    this.registry.register({
      resource: 'contacts',
      list: CONTACT_LIST,
      create: () => new ContactImporter(this.db, this.categories, this.repository),
    });
  }
}
