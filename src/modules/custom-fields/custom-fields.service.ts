import { Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import { v7 as uuidv7 } from 'uuid';
import type { AuditContext } from '../../core/auth';
import { LocalCache } from '../../core/cache';
import { iso } from '../../core/database';
import type { CustomFieldDescriptor } from '../../core/filters/custom-field-catalog';
import { CustomFieldCatalog } from '../../core/filters/custom-field-catalog';
import {
  ExpectedVersion,
  FieldIssue,
  defineList,
  ListDefinition,
  ListQuery,
  NotFoundError,
  Page,
  toPage,
  ValidationFailedError,
} from '../../core/http';
import { TenantDatabase } from '../../core/tenancy';
import { AuditService } from '../audit';
import { MemberDirectory } from '../memberships';
import {
  boundView,
  checkDefinition,
  checkValues,
  CUSTOM_FIELD_TYPES,
  CustomFieldRule,
  MAX_DEFINITIONS_PER_TYPE,
  valuePointer,
} from './custom-field-rules';
import { CustomFieldTargets } from './custom-field-targets';
import { CF_PREFIX, cellToValue } from './custom-field-columns';
import { CustomFieldsErrors } from './custom-fields.errors';
import {
  CustomFieldFilter,
  CustomFieldRow,
  CustomFieldsRepository,
  CustomFieldSort,
} from './custom-fields.repository';
import type {
  CreateCustomFieldDto,
  CustomFieldDto,
  UpdateCustomFieldDto,
} from './dto/custom-field.dto';

export const CUSTOM_FIELD_LIST: ListDefinition<CustomFieldSort, CustomFieldFilter> = defineList({
  resource: 'custom-fields',
  sortable: ['position', 'key', 'label', 'createdAt'],
  defaultSort: 'position',
  filters: { entityType: 'string', isActive: 'boolean', type: { enum: CUSTOM_FIELD_TYPES } },
  fields: {
    id: { type: 'uuid', column: 'custom_field_definitions.id' },
    entityType: { type: 'string', column: 'custom_field_definitions.entity_type' },
    key: { type: 'string', column: 'custom_field_definitions.key' },
    label: { type: 'string', column: 'custom_field_definitions.label' },
    type: { type: { enum: CUSTOM_FIELD_TYPES }, column: 'custom_field_definitions.type' },
    required: { type: 'boolean', column: 'custom_field_definitions.required' },
    isActive: { type: 'boolean', column: 'custom_field_definitions.is_active' },
    position: { type: 'int', column: 'custom_field_definitions.position' },
    createdAt: { type: 'datetime', column: 'custom_field_definitions.created_at' },
    updatedAt: { type: 'datetime', column: 'custom_field_definitions.updated_at' },
  },
});

const toDto = (row: CustomFieldRow): CustomFieldDto => ({
  id: row.id,
  entityType: row.entity_type,
  key: row.key,
  label: row.label,
  type: row.type,
  required: row.required,
  options: row.options,
  min: boundView(row.type, row.min),
  max: boundView(row.type, row.max),
  pattern: row.pattern,
  position: row.position,
  isActive: row.is_active,
  createdAt: iso(row.created_at)!,
  updatedAt: iso(row.updated_at)!,
  version: row.version,
});

/** A row as the value rules need it. */
export const toRule = (row: CustomFieldRow): CustomFieldRule => ({
  key: row.key,
  type: row.type,
  required: row.required,
  options: row.options,
  min: row.min,
  max: row.max,
  pattern: row.pattern,
  isActive: row.is_active,
});

const AUDITED: (keyof CustomFieldDto)[] = [
  'label',
  'type',
  'required',
  'options',
  'min',
  'max',
  'pattern',
  'position',
  'isActive',
];

/** The per-organization namespace of cached definitions (cleared on every definition change). */
const cacheNamespace = (orgId: string) => `custom-fields:${orgId}`;
const CACHE_TTL_MS = 10_000;

/**
 * Custom field definitions per organization and entity type, and the validation of the values
 * records carry in their `custom_fields` JSONB (SPEC-P3 §0). Also the core
 * {@link CustomFieldCatalog} the list filter grammar resolves `cf.<key>` with.
 */
@Injectable()
export class CustomFieldsService extends CustomFieldCatalog {
  constructor(
    private readonly db: TenantDatabase,
    private readonly repository: CustomFieldsRepository,
    private readonly targets: CustomFieldTargets,
    private readonly audit: AuditService,
    private readonly local: LocalCache,
    private readonly members: MemberDirectory,
  ) {
    super();
  }

  list(
    orgId: string,
    query: ListQuery<CustomFieldSort, CustomFieldFilter>,
  ): Promise<Page<CustomFieldDto>> {
    return this.db.read(orgId, async (manager) => {
      const { rows, total } = await this.repository.page(manager, orgId, query);
      return toPage(rows.map(toDto), total, query);
    });
  }

  private async find(manager: EntityManager, orgId: string, id: string, lock = false) {
    const row = await this.repository.findById(manager, orgId, id, lock);
    if (!row) throw new NotFoundError('Custom field');
    return row;
  }

  get(orgId: string, id: string): Promise<CustomFieldDto> {
    return this.db.read(orgId, async (manager) => toDto(await this.find(manager, orgId, id)));
  }

  /** The registered target of `entityType`, else 422 `unknown_entity_type`. */
  private targetOf(entityType: string) {
    const target = this.targets.get(entityType);
    if (!target)
      throw CustomFieldsErrors.unknown_entity_type(entityType, this.targets.entityTypes());
    return target;
  }

  /**
   * Defines a field: 422 on type-specific rules (see `checkDefinition`), an unregistered entity
   * type, or the 101st definition of a type; 409 `custom_field_key_taken`.
   */
  async create(
    orgId: string,
    dto: CreateCustomFieldDto,
    context: AuditContext,
  ): Promise<CustomFieldDto> {
    this.targetOf(dto.entityType);
    const { rules, issues } = checkDefinition(dto);
    if (issues.length) throw CustomFieldsErrors.invalid_custom_field_definition(issues);
    const created = await this.db.run(orgId, async (manager) => {
      const count = await this.repository.lockAndCount(manager, orgId, dto.entityType);
      if (count >= MAX_DEFINITIONS_PER_TYPE)
        throw CustomFieldsErrors.too_many_custom_fields(MAX_DEFINITIONS_PER_TYPE);
      const existing = await this.repository.forEntityType(manager, orgId, dto.entityType);
      if (existing.some((d) => d.key === dto.key))
        throw CustomFieldsErrors.custom_field_key_taken(dto.key);
      const id = uuidv7();
      await this.repository.insert(manager, orgId, {
        id,
        entityType: dto.entityType,
        key: dto.key,
        label: dto.label,
        type: dto.type,
        required: dto.required ?? false,
        ...rules,
        position: dto.position ?? null,
        isActive: dto.isActive ?? true,
      });
      const row = toDto(await this.find(manager, orgId, id));
      await this.audit.record(manager, {
        organizationId: orgId,
        action: 'create',
        entityType: 'custom_field',
        entityId: id,
        changes: { entityType: row.entityType, key: row.key, type: row.type, label: row.label },
        context,
      });
      return row;
    });
    await this.local.invalidate(cacheNamespace(orgId));
    return created;
  }

  /**
   * Changes a definition (If-Match). The type may change only while no record holds a value
   * (409 `custom_field_type_locked`); rules are re-checked against the resulting type. Records are
   * never rewritten: new rules apply to the next write of each value.
   */
  async update(
    orgId: string,
    id: string,
    dto: UpdateCustomFieldDto,
    expectedVersion: ExpectedVersion,
    context: AuditContext,
  ): Promise<CustomFieldDto> {
    const updated = await this.db.run(orgId, async (manager) =>
      this.audit.updateGuarded(manager, expectedVersion, {
        read: async () => toDto(await this.find(manager, orgId, id, true)),
        fields: AUDITED,
        write: async (before) => {
          const row = await this.find(manager, orgId, id);
          const type = dto.type ?? row.type;
          // A new type starts from no rules unless the request gives them (old bounds meant
          // something else); otherwise the stored rules stay unless replaced.
          const pick = <K extends 'options' | 'min' | 'max' | 'pattern'>(k: K) =>
            dto[k] !== undefined ? dto[k] : type !== row.type ? null : before[k];
          const { rules, issues } = checkDefinition({
            type,
            options: pick('options'),
            min: pick('min'),
            max: pick('max'),
            pattern: pick('pattern'),
          });
          if (issues.length) throw CustomFieldsErrors.invalid_custom_field_definition(issues);
          if (type !== row.type) {
            const target = this.targetOf(row.entity_type);
            if (await this.repository.hasValues(manager, orgId, target, row.key))
              throw CustomFieldsErrors.custom_field_type_locked(row.key);
          }
          await this.repository.update(manager, orgId, id, before.version, {
            label: dto.label ?? row.label,
            type,
            required: dto.required ?? row.required,
            ...rules,
            position: dto.position ?? row.position,
            isActive: dto.isActive ?? row.is_active,
          });
          return toDto(await this.find(manager, orgId, id));
        },
        entry: { organizationId: orgId, entityType: 'custom_field', entityId: id, context },
      }),
    );
    await this.local.invalidate(cacheNamespace(orgId));
    return updated;
  }

  /** Deletes a definition no record holds a value for; else 409 `custom_field_in_use` (deactivate it). */
  async delete(
    orgId: string,
    id: string,
    expectedVersion: ExpectedVersion,
    context: AuditContext,
  ): Promise<void> {
    await this.db.run(orgId, async (manager) => {
      await this.audit.deleteGuarded(manager, expectedVersion, {
        // FOR UPDATE: a write using this key holds a share lock until it commits, so the check
        // below sees every value written before or while it waited.
        read: async () => toDto(await this.find(manager, orgId, id, true)),
        remove: async (before) => {
          const target = this.targetOf(before.entityType);
          if (await this.repository.hasValues(manager, orgId, target, before.key))
            throw CustomFieldsErrors.custom_field_in_use(before.key);
          await this.repository.delete(manager, orgId, id);
        },
        entry: { organizationId: orgId, entityType: 'custom_field', entityId: id, context },
        changes: (before) => ({ entityType: before.entityType, key: before.key }),
      });
    });
    await this.local.invalidate(cacheNamespace(orgId));
  }

  /** {@link CustomFieldCatalog}: the definitions of an entity type, cached per process (≤ 10 s, invalidated on change). */
  definitions(orgId: string, entityType: string): Promise<CustomFieldDescriptor[]> {
    return this.local.getOrLoad(cacheNamespace(orgId), entityType, CACHE_TTL_MS, () =>
      this.db.read(orgId, async (manager) =>
        (await this.repository.forEntityType(manager, orgId, entityType)).map((row) => ({
          key: row.key,
          type: row.type,
          options: row.options,
          isActive: row.is_active,
        })),
      ),
    );
  }

  /** The value rules of an entity type, read in the caller's transaction (importers preload them). */
  async rules(
    manager: EntityManager,
    orgId: string,
    entityType: string,
  ): Promise<CustomFieldRule[]> {
    return (await this.repository.forEntityType(manager, orgId, entityType)).map(toRule);
  }

  /**
   * Validates a write of custom field values and returns the record's next values, normalised.
   * `values` is the client's object (create: the whole set; update: a patch whose `null` removes
   * a key), `options.previous` the record's current values (update). Every problem is reported at
   * once: 422 `validation_error` with one pointer `/customFields/<key>` each (unknown key,
   * deactivated key, wrong type or bound, missing required field, `user` not an active member).
   * The definitions used are share-locked to the end of the caller's transaction.
   */
  async validate(
    manager: EntityManager,
    orgId: string,
    entityType: string,
    values: Record<string, unknown>,
    options: { previous?: Record<string, unknown> } = {},
  ): Promise<Record<string, unknown>> {
    const keys = Object.keys(values).filter((k) => values[k] !== null);
    const rows = await this.repository.forEntityType(manager, orgId, entityType, keys);
    return this.checkWith(manager, orgId, rows.map(toRule), values, options.previous ?? {});
  }

  /**
   * {@link validate} against preloaded rules (importers: once per run). Throws the same 422.
   */
  async checkWith(
    manager: EntityManager,
    orgId: string,
    rules: readonly CustomFieldRule[],
    values: Record<string, unknown>,
    previous: Record<string, unknown> = {},
  ): Promise<Record<string, unknown>> {
    const checked = checkValues(rules, values, previous);
    const issues: FieldIssue[] = [...checked.issues];
    if (checked.users.size) {
      const ids = [...new Set(checked.users.values())];
      const active = new Set(
        (await this.members.activeMembers(manager, orgId, { userIds: ids })).map((m) => m.userId),
      );
      for (const [key, userId] of checked.users)
        if (!active.has(userId))
          issues.push({
            pointer: valuePointer(key),
            detail: `${key} must be an active member of this organization`,
            meta: { rules: ['user'] },
          });
    }
    if (issues.length) throw new ValidationFailedError(issues);
    return checked.values;
  }

  /**
   * One import row's custom field cells (`cf.<key>` columns) checked as the API checks a create:
   * the values to store, or the problems as `{ column: 'cf.<key>', message }`. Cells are read
   * with `cellToValue`; a non-empty `cf.` column naming no definition is reported. `memberships`
   * memoises "is this user an active member?" for the run (asked in its own read transaction).
   */
  async importValues(
    orgId: string,
    rules: readonly CustomFieldRule[],
    cells: Record<string, string>,
    memberships: Map<string, Promise<boolean>>,
  ): Promise<{ values: Record<string, unknown>; errors: { column: string; message: string }[] }> {
    const byKey = new Map(rules.map((r) => [r.key, r]));
    const patch: Record<string, unknown> = {};
    const set = (key: string, value: unknown) =>
      Object.defineProperty(patch, key, { value, enumerable: true, configurable: true });
    for (const [column, cell] of Object.entries(cells)) {
      if (!column.startsWith(CF_PREFIX)) continue;
      const key = column.slice(CF_PREFIX.length);
      const rule = byKey.get(key);
      const value = rule ? cellToValue(rule, cell) : cell.trim() === '' ? undefined : cell;
      if (value !== undefined) set(key, value);
    }
    const checked = checkValues(rules, patch);
    const errors = checked.issues.map((issue) => ({
      column: issue.pointer?.startsWith('/customFields/')
        ? `${CF_PREFIX}${issue.pointer.slice('/customFields/'.length).replace(/~1/g, '/').replace(/~0/g, '~')}`
        : 'customFields',
      message: issue.detail,
    }));
    for (const [key, userId] of checked.users) {
      let active = memberships.get(userId);
      if (!active) {
        active = this.db.read(
          orgId,
          async (manager) =>
            (await this.members.activeMembers(manager, orgId, { userIds: [userId] })).length > 0,
        );
        memberships.set(userId, active);
      }
      if (!(await active))
        errors.push({
          column: `${CF_PREFIX}${key}`,
          message: `${key} must be an active member of this organization`,
        });
    }
    return { values: checked.values, errors };
  }
}
