import { Injectable, Logger, OnModuleInit } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import { v7 as uuidv7 } from 'uuid';
import type { AuditContext, Principal } from '../../core/auth';
import { iso } from '../../core/database';
import {
  assertVersionMatches,
  ExpectedVersion,
  defineList,
  ListDefinition,
  ListQuery,
  NotFoundError,
  Page,
  toPage,
} from '../../core/http';
import { TargetRegistry } from '../../core/targets';
import { TenantDatabase } from '../../core/tenancy';
import { AccessService } from '../access';
import { AuditService } from '../audit';
import type { CreateTagDto, TagDto, UpdateTagDto } from './dto/tag.dto';
import { distinctTagNames, isValidTagName, MAX_TAGS_PER_RECORD, tagNameKey } from './tag-names';
import { TagsErrors } from './tags.errors';
import { RecordTags, TagFilter, TagRow, TagSort, TagsRepository } from './tags.repository';

/** Who names tags on a record: `tags:create` in `permissions` lets unknown names create tags. */
export interface TagActor {
  userId: string | null;
  permissions: ReadonlySet<string>;
}

/** Called after a commit that changed the taggings of `entityType` records (cached list totals). */
export type TaggingsChanged = (orgId: string) => Promise<void>;

export const TAG_LIST: ListDefinition<TagSort, TagFilter> = defineList({
  resource: 'tags',
  sortable: ['name', 'count', 'createdAt'],
  defaultSort: 'name',
  filters: { q: 'string', entityType: 'string' },
  fields: {
    id: { type: 'uuid', column: 'tags.id' },
    name: { type: 'string', column: 'tags.name' },
    color: { type: 'string', column: 'tags.color' },
    entityTypes: { type: 'string[]', column: 'tags.entity_types' },
    createdAt: { type: 'datetime', column: 'tags.created_at' },
    updatedAt: { type: 'datetime', column: 'tags.updated_at' },
  },
});

const toDto = (row: TagRow): TagDto => ({
  id: row.id,
  name: row.name,
  color: row.color,
  entityTypes: row.entity_types,
  count: row.usage_count ?? 0,
  createdAt: iso(row.created_at)!,
  updatedAt: iso(row.updated_at)!,
  version: row.version,
});

const sameNames = (a: readonly string[], b: readonly string[]) =>
  a.length === b.length && a.every((name, i) => name === b[i]);

/**
 * The tag registry (SPEC-P3 §2, issue 18): tags per organization, unique by folded name
 * (`tagNameKey`), and their taggings on registered targets. `setTags` is the one way a record's
 * tags change (products and contacts call it in their own transactions; `PUT /taggings` audits
 * it on the record). Rename, merge and delete lock the tags they change (`FOR UPDATE`) while
 * taggers share-lock the tags they use, so a merge never loses a concurrent tagging. Every change
 * of a record's tags is audited on the record (`changes.tags`, changedFields `tags`).
 */
@Injectable()
export class TagsService implements OnModuleInit {
  private readonly logger = new Logger(TagsService.name);
  private readonly listeners = new Map<string, TaggingsChanged[]>();

  constructor(
    private readonly db: TenantDatabase,
    private readonly repository: TagsRepository,
    private readonly targets: TargetRegistry,
    private readonly audit: AuditService,
    private readonly access: AccessService,
  ) {}

  onModuleInit(): void {
    this.targets.registerChildren({
      name: 'taggings',
      deleteFor: (manager, orgId, entityType, entityId) =>
        this.repository.removeAllOf(manager, orgId, entityType, entityId),
    });
  }

  /**
   * Owners of tagged lists register what to refresh after taggings of their type changed outside
   * their own writes (`PUT /taggings`, rename, merge, delete): products drop cached totals.
   */
  onTaggingsChanged(entityType: string, listener: TaggingsChanged): void {
    this.listeners.set(entityType, [...(this.listeners.get(entityType) ?? []), listener]);
  }

  /** The organization's tags with usage counts; `q` autocompletes (prefix of the name or a word). */
  list(orgId: string, query: ListQuery<TagSort, TagFilter>): Promise<Page<TagDto>> {
    return this.db.read(orgId, async (manager) => {
      const q = query.filters.q as string | undefined;
      const entityType = query.filters.entityType as string | undefined;
      const { rows, total } = await this.repository.page(manager, orgId, query, {
        qKey: q ? tagNameKey(q) : undefined,
        entityType,
      });
      return toPage(rows.map(toDto), total, query);
    });
  }

  get(orgId: string, id: string): Promise<TagDto> {
    return this.db.read(orgId, async (manager) => toDto(await this.find(manager, orgId, id)));
  }

  private async find(manager: EntityManager, orgId: string, id: string): Promise<TagRow> {
    const row = await this.repository.findById(manager, orgId, id);
    if (!row) throw new NotFoundError('Tag');
    return row;
  }

  /** 422 `invalid_entity_type` for a type no module registered as a target. */
  private checkTypes(types: string[] | null | undefined): string[] | null {
    if (!types) return null;
    for (const type of types)
      if (!this.targets.has(type)) throw TagsErrors.invalid_entity_type(type, this.targets.types());
    return [...types].sort();
  }

  create(orgId: string, dto: CreateTagDto, context: AuditContext): Promise<TagDto> {
    return this.db.run(orgId, async (manager) => {
      const entityTypes = this.checkTypes(dto.entityTypes);
      const id = uuidv7();
      const nameKey = tagNameKey(dto.name);
      if (!isValidTagName(dto.name)) throw TagsErrors.invalid_tag_name('/name');
      const color = dto.color ? dto.color.toLowerCase() : null;
      if (
        !(await this.repository.insert(manager, orgId, {
          id,
          name: dto.name,
          nameKey,
          color,
          entityTypes,
        }))
      )
        throw TagsErrors.tag_name_taken(dto.name);
      await this.audit.record(manager, {
        organizationId: orgId,
        action: 'create',
        entityType: 'tag',
        entityId: id,
        changes: { name: dto.name, color, entityTypes },
        context,
      });
      return toDto(await this.find(manager, orgId, id));
    });
  }

  /**
   * Rename, recolour, re-scope. A rename keeps the taggings and is audited on every record that
   * carries the tag (its `tags` changed). Dropping an entity type the tag is used on → 422.
   */
  async update(
    orgId: string,
    id: string,
    dto: UpdateTagDto,
    expectedVersion: ExpectedVersion,
    context: AuditContext,
  ): Promise<TagDto> {
    const { result, types } = await this.db.run(orgId, async (manager) => {
      const [locked] = await this.repository.lock(manager, orgId, [id], 'update');
      if (!locked) throw new NotFoundError('Tag');
      const before = await this.find(manager, orgId, id);
      assertVersionMatches(expectedVersion, before.version);
      const name = dto.name ?? before.name;
      if (dto.name !== undefined && !isValidTagName(name))
        throw TagsErrors.invalid_tag_name('/name');
      const nameKey = tagNameKey(name);
      const color =
        dto.color === undefined
          ? before.color
          : dto.color === null
            ? null
            : dto.color.toLowerCase();
      const entityTypes =
        dto.entityTypes === undefined ? before.entity_types : this.checkTypes(dto.entityTypes);
      if (entityTypes) {
        for (const used of await this.repository.typesUsing(manager, orgId, id))
          if (!entityTypes.includes(used)) throw TagsErrors.entity_type_in_use(used);
      }
      const renamed = name !== before.name;
      const recordsBefore = renamed
        ? await this.repository.recordsTaggedWith(manager, orgId, [id])
        : [];
      if (nameKey !== before.name_key) {
        const [clash] = await this.repository.byKeys(manager, orgId, [nameKey]);
        if (clash) throw TagsErrors.tag_name_taken(name);
      }
      const previous = toDto(before);
      const updated = await this.audit.recordUpdate(
        manager,
        previous,
        ['name', 'color', 'entityTypes'],
        async () => {
          await this.repository.update(manager, orgId, id, before.version, {
            name,
            nameKey,
            color,
            entityTypes,
          });
          return toDto(await this.find(manager, orgId, id));
        },
        { organizationId: orgId, action: 'update', entityType: 'tag', entityId: id, context },
      );
      let changedTypes: string[] = [];
      if (renamed && updated !== previous) {
        changedTypes = await this.auditRecords(manager, orgId, recordsBefore, [id], context);
      }
      return { result: updated, types: changedTypes };
    });
    await this.notify(orgId, types);
    return result;
  }

  /**
   * Moves every tagging of `id` to `targetId` (a record carrying both keeps one) and deletes
   * `id`, in one transaction, audited on the tag (`merge`) and on every record whose tags changed.
   * Both tags are locked first: a tagging racing the merge either lands before it (and is moved)
   * or waits and finds the source gone.
   */
  async merge(
    orgId: string,
    id: string,
    targetId: string,
    expectedVersion: ExpectedVersion,
    context: AuditContext,
  ): Promise<TagDto> {
    if (id === targetId) throw TagsErrors.merge_into_itself();
    const { result, types } = await this.db.run(orgId, async (manager) => {
      const locked = await this.repository.lock(manager, orgId, [id, targetId], 'update');
      const source = locked.find((t) => t.id === id);
      const target = locked.find((t) => t.id === targetId);
      if (!source) throw new NotFoundError('Tag');
      if (!target) throw TagsErrors.invalid_merge_target();
      assertVersionMatches(expectedVersion, source.version);
      if (target.entity_types) {
        for (const used of await this.repository.typesUsing(manager, orgId, id))
          if (!target.entity_types.includes(used))
            throw TagsErrors.tag_not_allowed(target.name, used, '/targetId');
      }
      const recordsBefore = await this.repository.recordsTaggedWith(manager, orgId, [id]);
      await this.repository.moveTaggings(manager, orgId, id, targetId);
      await this.repository.delete(manager, orgId, id);
      await this.audit.record(manager, {
        organizationId: orgId,
        action: 'merge',
        entityType: 'tag',
        entityId: id,
        changes: { name: source.name, into: { id: targetId, name: target.name } },
        context,
      });
      const changedTypes = await this.auditRecords(
        manager,
        orgId,
        recordsBefore,
        [targetId],
        context,
      );
      return { result: toDto(await this.find(manager, orgId, targetId)), types: changedTypes };
    });
    await this.notify(orgId, types);
    return result;
  }

  /** Deletes a tag and its taggings; audited on the tag and on every record that carried it. */
  async delete(
    orgId: string,
    id: string,
    expectedVersion: ExpectedVersion,
    context: AuditContext,
  ): Promise<void> {
    const types = await this.db.run(orgId, async (manager) => {
      const [before] = await this.repository.lock(manager, orgId, [id], 'update');
      if (!before) throw new NotFoundError('Tag');
      assertVersionMatches(expectedVersion, before.version);
      const recordsBefore = await this.repository.recordsTaggedWith(manager, orgId, [id]);
      await this.repository.delete(manager, orgId, id);
      await this.audit.record(manager, {
        organizationId: orgId,
        action: 'delete',
        entityType: 'tag',
        entityId: id,
        changes: { name: before.name },
        context,
      });
      return this.auditRecords(manager, orgId, recordsBefore, [], context);
    });
    await this.notify(orgId, types);
  }

  /**
   * Audits `update` with `changes.tags` {from, to} on each record of `before` whose tags differ
   * now (re-read with the tags of `stillIds`); returns the target types touched.
   */
  private async auditRecords(
    manager: EntityManager,
    orgId: string,
    before: RecordTags[],
    stillIds: string[],
    context: AuditContext,
  ): Promise<string[]> {
    if (before.length === 0) return [];
    const after = new Map<string, string[]>();
    for (const record of stillIds.length
      ? await this.repository.recordsTaggedWith(manager, orgId, stillIds)
      : [])
      after.set(`${record.target_type}:${record.target_id}`, record.names);
    const types = new Set<string>();
    for (const record of before) {
      const now =
        after.get(`${record.target_type}:${record.target_id}`) ??
        (await this.repository.namesOf(manager, orgId, record.target_type, record.target_id));
      if (sameNames(record.names, now)) continue;
      types.add(record.target_type);
      await this.recordTagsChange(
        manager,
        orgId,
        record.target_type,
        record.target_id,
        record.names,
        now,
        context,
      );
    }
    return [...types];
  }

  private recordTagsChange(
    manager: EntityManager,
    orgId: string,
    targetType: string,
    targetId: string,
    from: string[],
    to: string[],
    context: AuditContext,
  ): Promise<void> {
    return this.audit.record(manager, {
      organizationId: orgId,
      action: 'update',
      entityType: targetType,
      entityId: targetId,
      changes: { tags: { from, to } },
      context,
    });
  }

  private async notify(orgId: string, types: string[]): Promise<void> {
    for (const type of types) {
      for (const listener of this.listeners.get(type) ?? []) {
        await listener(orgId).catch((error: unknown) =>
          this.logger.warn({ error: (error as Error).message, type }, 'taggings listener failed'),
        );
      }
    }
  }

  /** `GET /taggings/{type}/{id}`: the record's tags (its read permission; else 404). */
  tagsOf(
    orgId: string,
    caller: Principal,
    targetType: string,
    targetId: string,
  ): Promise<string[]> {
    return this.db.read(orgId, async (manager) => {
      await this.targets.assertReadable(manager, orgId, caller.permissions, targetType, targetId);
      return this.repository.namesOf(manager, orgId, targetType, targetId);
    });
  }

  /**
   * `PUT /taggings/{type}/{id}`: replaces the record's tags (its update permission; else 404),
   * audited on the record when they changed.
   */
  async replaceTags(
    orgId: string,
    caller: Principal,
    targetType: string,
    targetId: string,
    names: string[],
    context: AuditContext,
  ): Promise<string[]> {
    const { tags, changed } = await this.db.run(orgId, async (manager) => {
      await this.targets.assertAccessible(
        manager,
        orgId,
        caller.permissions,
        targetType,
        targetId,
        'update',
      );
      const before = await this.repository.namesOf(manager, orgId, targetType, targetId);
      const after = await this.setTags(manager, orgId, caller, targetType, targetId, names);
      const differs = !sameNames(before, after);
      if (differs)
        await this.recordTagsChange(manager, orgId, targetType, targetId, before, after, context);
      return { tags: after, changed: differs };
    });
    if (changed) await this.notify(orgId, [targetType]);
    return tags;
  }

  /**
   * Makes a record's tags exactly `names` (the contract of issue 18, section D), in the caller's
   * transaction, and returns them as stored (folded-key order). Names are normalised and
   * deduplicated by folded key; each resolves to the organization's tag of that key, and an
   * unknown one creates a tag (any type, no colour) only when `actor` holds `tags:create`.
   * 422 at `pointer`: more than 50 names (`too_many_tags`), an invalid name, an unknown name
   * without `tags:create` (`unknown_tag`), a tag not allowed on `targetType` (`tag_not_allowed`).
   * The caller audits the change (products and contacts in their own update, `replaceTags` here)
   * and has checked the target exists.
   */
  async setTags(
    manager: EntityManager,
    orgId: string,
    actor: TagActor,
    targetType: string,
    targetId: string,
    names: string[],
    pointer = '/tags',
  ): Promise<string[]> {
    const ids = await this.resolve(manager, orgId, actor, targetType, [names], pointer);
    await this.repository.replace(manager, orgId, targetType, targetId, ids[0]);
    return this.repository.namesOf(manager, orgId, targetType, targetId);
  }

  /**
   * `setTags` for many records of one type at once (imports), set-based: each entry's tags
   * become exactly its names. Same rules and errors (the first offending entry's). `fresh`: the
   * record was created in this transaction (it has no taggings to remove). Also the form for one
   * record whose writer reads its tags back with the record (create/update of products, contacts,
   * documents): no re-read of the names, and no DELETE for a fresh record — 2 round trips less
   * than `setTags` on a create.
   */
  async setTagsMany(
    manager: EntityManager,
    orgId: string,
    actor: TagActor,
    targetType: string,
    entries: { targetId: string; names: string[]; fresh?: boolean }[],
    pointer = '/tags',
  ): Promise<void> {
    if (entries.length === 0) return;
    const ids = await this.resolve(
      manager,
      orgId,
      actor,
      targetType,
      entries.map((e) => e.names),
      pointer,
    );
    await this.repository.replaceMany(
      manager,
      orgId,
      targetType,
      entries.map((e, i) => ({ targetId: e.targetId, tagIds: ids[i], fresh: e.fresh })),
    );
  }

  /** The tag ids of each list of names (checked, created where allowed), share-locked. */
  private async resolve(
    manager: EntityManager,
    orgId: string,
    actor: TagActor,
    targetType: string,
    lists: string[][],
    pointer: string,
  ): Promise<string[][]> {
    const wanted = new Map<string, string>();
    const keyLists = lists.map((names) => {
      const distinct = distinctTagNames(names);
      if (distinct.length > MAX_TAGS_PER_RECORD)
        throw TagsErrors.too_many_tags(MAX_TAGS_PER_RECORD, pointer);
      return distinct.map((name) => {
        if (!isValidTagName(name)) throw TagsErrors.invalid_tag_name(pointer);
        const key = tagNameKey(name);
        if (!wanted.has(key)) wanted.set(key, name);
        return key;
      });
    });
    const keys = [...wanted.keys()];
    let found = await this.repository.byKeys(manager, orgId, keys);
    const missing = keys.filter((key) => !found.some((t) => t.name_key === key));
    if (missing.length > 0) {
      if (!actor.permissions.has('tags:create'))
        throw TagsErrors.unknown_tag(wanted.get(missing[0])!, pointer);
      found = await this.repository.ensure(
        manager,
        orgId,
        keys.map((key) => ({ key, name: wanted.get(key)! })),
      );
    }
    const byKey = new Map(found.map((t) => [t.name_key, t]));
    return keyLists.map((list) =>
      list.map((key) => {
        const tag = byKey.get(key);
        // A tag deleted or renamed by a concurrent commit between the insert and the lock.
        if (!tag) throw TagsErrors.unknown_tag(wanted.get(key)!, pointer);
        if (tag.entity_types && !tag.entity_types.includes(targetType))
          throw TagsErrors.tag_not_allowed(tag.name, targetType, pointer);
        return tag.id;
      }),
    );
  }

  /**
   * For imports (no request principal): the tag rights of the member who started the run, from
   * their roles in `orgId` (none when they are no longer a member).
   */
  async actorOf(orgId: string, userId: string | null): Promise<TagActor> {
    if (!userId) return { userId, permissions: new Set() };
    const access = await this.access.resolve(userId, orgId, false);
    return { userId, permissions: new Set(access.member ? access.permissions : []) };
  }

  /**
   * For imports: every tag of the organization by folded key (allowed types), to check names per
   * row before the set-based load.
   */
  async catalog(
    manager: EntityManager,
    orgId: string,
  ): Promise<Map<string, { name: string; entityTypes: string[] | null }>> {
    const rows = await this.repository.all(manager, orgId);
    return new Map(rows.map((r) => [r.name_key, { name: r.name, entityTypes: r.entity_types }]));
  }
}
