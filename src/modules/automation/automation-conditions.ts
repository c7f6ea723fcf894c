import { Injectable, Optional } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import { CompiledFilter, CustomFieldCatalog, CustomFieldDescriptor } from '../../core/filters';
import { compileListFilter, listFieldResolver } from '../../core/http';
import type { RecordUpdater } from '../../core/targets';
import type { Trigger } from './automation-rules';
import { AutomationRepository } from './automation.repository';

/**
 * A rule's condition as SQL: the filter grammar of the entity type's list
 * (`compileListFilter`), ANDed with `field = to` for a `field.changed` trigger with `to` (the
 * "changed to" of SPEC-P3 §8), for `runAs` as the `@me` user. `cf.<key>` fields resolve through
 * the custom-fields catalog (loaded only when the condition names one).
 */
@Injectable()
export class AutomationConditions {
  constructor(
    private readonly repository: AutomationRepository,
    @Optional() private readonly catalog?: CustomFieldCatalog,
  ) {}

  /**
   * The compiled condition, or null when the rule has none. Throws `InvalidFilterError` (its
   * `meta.path` locates the node) for a condition the list does not accept.
   */
  async compile(
    orgId: string,
    updater: RecordUpdater,
    condition: unknown,
    trigger: Trigger,
    runAsUserId: string,
    now: Date = new Date(),
  ): Promise<CompiledFilter | null> {
    const parts: unknown[] = [];
    if (condition !== null && condition !== undefined) parts.push(condition);
    if (trigger.type === 'field.changed' && trigger.to !== undefined) {
      parts.push({ field: trigger.field, op: 'eq', value: trigger.to });
    }
    if (parts.length === 0) return null;
    const tree = parts.length === 1 ? parts[0] : { and: parts };
    const custom = JSON.stringify(tree).includes('"cf.')
      ? await this.customFields(updater, orgId)
      : new Map<string, CustomFieldDescriptor>();
    return compileListFilter(
      updater.list,
      tree,
      { orgId, userId: runAsUserId, now, timezone: 'UTC' },
      custom,
    );
  }

  /**
   * Throws `InvalidFilterError` unless `field` is a filterable field of the list (the
   * `field.changed` trigger names list fields, as events' changedFields do).
   */
  async assertField(orgId: string, updater: RecordUpdater, field: string): Promise<void> {
    const custom = field.startsWith('cf.')
      ? await this.customFields(updater, orgId)
      : new Map<string, CustomFieldDescriptor>();
    compileListFilter(
      updater.list,
      { field, op: 'isnull', value: false },
      { orgId, userId: null, now: new Date(), timezone: 'UTC' },
      custom,
    );
  }

  /** Whether `field` is a date or datetime field of the list (`date_relative` triggers). */
  async isDateField(orgId: string, updater: RecordUpdater, field: string): Promise<boolean> {
    const custom = field.startsWith('cf.')
      ? await this.customFields(updater, orgId)
      : new Map<string, CustomFieldDescriptor>();
    const type = listFieldResolver(updater.list, custom)(field)?.type;
    return type === 'date' || type === 'datetime';
  }

  /**
   * The filter of a `date_relative` rule on `day`: its condition AND `field` on the day
   * `offsetDays` before `day` (a trigger 3 days before a date field has offsetDays -3: records
   * whose date is `day` + 3), with the grammar's relative date tokens, in UTC.
   */
  dateRelative(
    orgId: string,
    updater: RecordUpdater,
    condition: unknown,
    trigger: { field: string; offsetDays: number },
    runAsUserId: string,
    now: Date,
  ): Promise<CompiledFilter> {
    const shift = -trigger.offsetDays;
    const token = shift === 0 ? 'today' : `${shift > 0 ? '+' : ''}${shift}d`;
    const on = { field: trigger.field, op: 'eq', value: token };
    const tree = condition === null || condition === undefined ? on : { and: [condition, on] };
    return this.compile(orgId, updater, tree, { type: 'manual' }, runAsUserId, now).then((f) => f!);
  }

  /** Of `ids`, the records of `updater`'s type for which `filter` holds (null: that exist). */
  matching(
    manager: EntityManager,
    orgId: string,
    updater: RecordUpdater,
    ids: readonly string[],
    filter: CompiledFilter | null,
  ): Promise<Set<string>> {
    return this.repository.matchingIds(manager, orgId, updater, ids, filter);
  }

  private async customFields(
    updater: RecordUpdater,
    orgId: string,
  ): Promise<Map<string, CustomFieldDescriptor>> {
    const definition = updater.list.customFields;
    if (!definition || !this.catalog) return new Map();
    const descriptors = await this.catalog.definitions(orgId, definition.entityType);
    return new Map(descriptors.map((descriptor) => [descriptor.key, descriptor]));
  }
}
