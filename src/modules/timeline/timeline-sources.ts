import { Injectable, Module } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import { utcMicros } from '../../core/database';

/** One event of a record's history, as the timeline returns it. */
export interface TimelineEntry {
  /** A UUID, unique across sources (the row id of the source's table). */
  id: string;
  kind: 'comment' | 'field_change' | 'attachment' | 'activity_done' | 'transition';
  /**
   * When it happened, ISO-8601 UTC. Give microseconds (`TIMELINE_AT_SQL`) so two entries in the
   * same millisecond still order, and page, exactly as the database does.
   */
  at: string;
  actorUserId: string | null;
  data: Record<string, unknown>;
}

/** A position in a timeline: continue with entries strictly older in (`at` DESC, `id` DESC). */
export interface TimelineCursor {
  at: string;
  id: string;
}

/** Where a record's timeline entries of one kind come from (SPEC-P3 §3). */
export interface TimelineSource {
  kind: TimelineEntry['kind'];
  /**
   * A permission the caller needs (besides reading the target) to see this source's entries,
   * e.g. `files:read` for attachments; absent: reading the target is enough.
   */
  readPermission?: string;
  /**
   * Newest first, strictly older than `before` in (`at` DESC, `id` DESC) order, at most `limit`.
   * Runs inside the caller's tenant transaction (`manager`); `target` has been checked readable.
   */
  page(
    manager: EntityManager,
    orgId: string,
    target: { entityType: string; entityId: string },
    before: TimelineCursor | null,
    limit: number,
  ): Promise<TimelineEntry[]>;
}

/** `created_at` as the exact UTC text every source should give as `at` (microseconds). */
export const TIMELINE_AT_SQL = utcMicros;

/**
 * The registry of timeline sources. Owners register from `onModuleInit` of a provider in a module
 * importing {@link TimelineSourcesModule}; `GET /timeline/{type}/{id}` merges every source.
 * Registering one kind twice is a wiring bug and throws.
 */
@Injectable()
export class TimelineSources {
  private readonly sources: TimelineSource[] = [];

  /** Adds a source (throws when its kind is already registered). */
  register(source: TimelineSource): void {
    if (this.sources.some((known) => known.kind === source.kind)) {
      throw new Error(`TimelineSources: "${source.kind}" is registered twice`);
    }
    this.sources.push(source);
  }

  /** Every registered source, in registration order. */
  all(): readonly TimelineSource[] {
    return this.sources;
  }
}

/** Provides the one {@link TimelineSources} registry; import it to register a source. */
@Module({ providers: [TimelineSources], exports: [TimelineSources] })
export class TimelineSourcesModule {}
