import type { EntityManager } from 'typeorm';
import { distinctTagNames, isValidTagName, MAX_TAGS_PER_RECORD, tagNameKey } from './tag-names';
import type { TagActor, TagsService } from './tags.service';

/** A row of an import batch as tags see it: its natural key (sku, …) and tag names. */
export interface TaggedImportRow {
  key: string;
  names: string[];
}

const keysOf = (names: readonly string[]) => names.map((n) => tagNameKey(n)).sort();
const sameKeys = (a: string[], b: string[]) =>
  a.length === b.length && a.every((k, i) => k === b[i]);

/**
 * The tags of one import run (products, contacts): rows are checked against the organization's
 * tags loaded once (`prepare`) with the rights of the member who started the run — the same rules
 * as `TagsService.setTags`, reported per row — and a loaded batch's tags are set set-based
 * (`TagsService.setTagsMany`). One instance per run, like the importer that owns it.
 */
export class ImportTags {
  private actor: TagActor = { userId: null, permissions: new Set() };
  private catalog = new Map<string, { name: string; entityTypes: string[] | null }>();

  constructor(
    private readonly tags: TagsService,
    private readonly targetType: string,
  ) {}

  async prepare(manager: EntityManager, orgId: string, userId: string | null): Promise<void> {
    this.actor = await this.tags.actorOf(orgId, userId);
    this.catalog = await this.tags.catalog(manager, orgId);
  }

  /** The row's tag problems, as messages for the `tags` column (empty: fine). */
  check(names: readonly string[]): string[] {
    const distinct = distinctTagNames(names);
    if (distinct.length > MAX_TAGS_PER_RECORD)
      return [`a record carries at most ${MAX_TAGS_PER_RECORD} tags`];
    const problems: string[] = [];
    for (const name of distinct) {
      if (!isValidTagName(name)) continue; // the DTO rules report it
      const known = this.catalog.get(tagNameKey(name));
      if (!known && !this.actor.permissions.has('tags:create'))
        problems.push(`there is no tag "${name}" and creating tags needs tags:create`);
      else if (known?.entityTypes && !known.entityTypes.includes(this.targetType))
        problems.push(`the tag "${known.name}" may not be used on ${this.targetType} records`);
    }
    return problems;
  }

  /**
   * Sets the tags of a loaded batch: rows written by the load (`touched`) get exactly theirs;
   * with `onConflict: 'update'`, existing rows the load left unchanged get theirs when they
   * differ. Resolves to the ids of those tags-only changes (the caller bumps their version and
   * counts them as updated). `current` reads existing rows' ids and tag names by key. `inserted`:
   * ids of `touched` rows the load created (no taggings yet: nothing to remove for them).
   */
  async load(
    manager: EntityManager,
    orgId: string,
    rows: readonly TaggedImportRow[],
    touched: readonly { id: string; key: string }[],
    onConflict: string,
    current: (keys: string[]) => Promise<{ id: string; key: string; names: string[] }[]>,
    inserted?: ReadonlySet<string>,
  ): Promise<string[]> {
    const wanted = new Map(rows.map((r) => [r.key.toLowerCase(), r.names]));
    const entries: { targetId: string; names: string[]; fresh?: boolean }[] = [];
    const written = new Set<string>();
    for (const row of touched) {
      const key = row.key.toLowerCase();
      written.add(key);
      entries.push({
        targetId: row.id,
        names: wanted.get(key) ?? [],
        fresh: inserted?.has(row.id) ?? false,
      });
    }
    const changed: string[] = [];
    if (onConflict === 'update') {
      const rest = rows.filter((r) => !written.has(r.key.toLowerCase())).map((r) => r.key);
      if (rest.length > 0) {
        for (const existing of await current(rest)) {
          const names = wanted.get(existing.key.toLowerCase()) ?? [];
          if (sameKeys(keysOf(existing.names), keysOf(names))) continue;
          entries.push({ targetId: existing.id, names });
          changed.push(existing.id);
        }
      }
    }
    await this.tags.setTagsMany(manager, orgId, this.actor, this.targetType, entries);
    for (const entry of entries)
      for (const name of entry.names) {
        const key = tagNameKey(name);
        if (!this.catalog.has(key)) this.catalog.set(key, { name, entityTypes: null });
      }
    return changed;
  }
}
