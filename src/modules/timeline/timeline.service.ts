import { Injectable } from '@nestjs/common';
import { AppConfig } from '../../core/config';
import { CursorCodec, INVALID_CURSOR, ValidationFailedError } from '../../core/http';
import { TargetRegistry } from '../../core/targets';
import { TenantDatabase } from '../../core/tenancy';
import { TimelineCursor, TimelineEntry, TimelineSources } from './timeline-sources';

/** Default and largest timeline page. */
export const TIMELINE_DEFAULT_LIMIT = 50;
export const TIMELINE_MAX_LIMIT = 100;

const CURSOR_SCOPE = 'timeline|at-desc';
const AT = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d{1,6})?Z$/;
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/**
 * `at` with exactly six fractional digits, so entries of sources giving milliseconds and of sources
 * giving microseconds compare correctly as text.
 */
const sortableAt = (at: string): string => {
  const match = /^(.*T\d{2}:\d{2}:\d{2})(?:\.(\d{1,6}))?Z$/.exec(at);
  return match ? `${match[1]}.${(match[2] ?? '').padEnd(6, '0')}Z` : at;
};

/** Newest first: `at` DESC, then `id` DESC. */
const newestFirst = (a: TimelineEntry, b: TimelineEntry): number => {
  const at = sortableAt(b.at).localeCompare(sortableAt(a.at));
  if (at !== 0) return at;
  return b.id < a.id ? -1 : b.id > a.id ? 1 : 0;
};

/**
 * Merges the sources' pages (each newest first, each at most `limit + 1` long) into the first
 * `limit` entries overall, newest first, and says whether more exist (some source had more than
 * what was kept). Timestamps of millisecond and microsecond precision compare correctly.
 */
export function mergeNewestFirst(
  pages: readonly (readonly TimelineEntry[])[],
  limit: number,
): { items: TimelineEntry[]; more: boolean } {
  const merged = pages.flat().sort(newestFirst);
  return { items: merged.slice(0, limit), more: merged.length > limit };
}

/** A page of a record's timeline. */
export interface TimelinePage {
  items: TimelineEntry[];
  /** Pass back as `?cursor=` for the next (older) page; absent on the last. */
  nextCursor?: string;
}

/**
 * A record's timeline (SPEC-P3 §3): every registered source's entries merged newest first. Each
 * source is asked for `limit + 1` entries strictly older than the cursor, so the merged first
 * `limit` are exact and whether more exist is known. The cursor is the last entry's (`at`, `id`),
 * signed (`CursorCodec`): entries sharing a timestamp are ordered by id, so pages have neither
 * duplicates nor gaps.
 */
@Injectable()
export class TimelineService {
  private readonly codec: CursorCodec;

  constructor(
    private readonly db: TenantDatabase,
    private readonly targets: TargetRegistry,
    private readonly sources: TimelineSources,
    config: AppConfig,
  ) {
    this.codec = new CursorCodec(config.jwt.secret);
  }

  /**
   * One page, newest first. 404 (`not_found`) when the target is of an unknown type, missing,
   * another tenant's or unreadable with `permissions`; 422 naming `cursor` for a cursor this
   * server did not sign.
   */
  page(
    orgId: string,
    permissions: ReadonlySet<string>,
    target: { entityType: string; entityId: string },
    cursor: string | undefined,
    limit: number,
  ): Promise<TimelinePage> {
    const before = cursor === undefined ? null : this.decode(cursor);
    // Read path: one round trip per statement (no BEGIN/COMMIT), RLS as in `run` (SPEC §8).
    return this.db.read(orgId, async (manager) => {
      await this.targets.assertReadable(
        manager,
        orgId,
        permissions,
        target.entityType,
        target.entityId,
      );
      const visible = this.sources
        .all()
        .filter((source) => !source.readPermission || permissions.has(source.readPermission));
      const pages: TimelineEntry[][] = [];
      // Sequential: one transaction's connection runs one statement at a time.
      for (const source of visible) {
        pages.push(await source.page(manager, orgId, target, before, limit + 1));
      }
      const { items, more } = mergeNewestFirst(pages, limit);
      const last = items[items.length - 1];
      return more && last
        ? {
            items,
            nextCursor: this.codec.encode({ scope: CURSOR_SCOPE, key: last.at, id: last.id }),
          }
        : { items };
    });
  }

  private decode(raw: string): TimelineCursor {
    const position = this.codec.decode(raw);
    if (
      !position ||
      position.scope !== CURSOR_SCOPE ||
      position.key === null ||
      !AT.test(position.key) ||
      !UUID.test(position.id)
    ) {
      throw new ValidationFailedError([INVALID_CURSOR]);
    }
    return { at: position.key, id: position.id };
  }
}
