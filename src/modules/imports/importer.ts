import type { EntityManager } from 'typeorm';
import type { CompiledFilter } from '../../core/filters';

export const IMPORT_RESOURCES = ['products', 'contacts'] as const;
export type ImportResource = (typeof IMPORT_RESOURCES)[number];
export const CONFLICT_MODES = ['skip', 'update', 'fail'] as const;
export type ConflictMode = (typeof CONFLICT_MODES)[number];

/** One problem with one cell (or the whole row when `column` is empty). */
export interface RowError {
  line: number;
  column: string;
  /** In English where raised; translated into the starter's language in the task's result. */
  message: string;
  /** Internal: the error envelope code of a database refusal (for translation; not shown). */
  code?: string;
  /** Internal: class-validator's rule names behind `message` (for translation; not shown). */
  rules?: string[];
}

export interface LoadCounts {
  inserted: number;
  updated: number;
  skipped: number;
}

/**
 * What a load did, with the ids of the rows inserted and of the rows updated: the pipeline
 * publishes one `<entityType>.created` / `<entityType>.updated` domain event per row (search and
 * realtime stay correct without an audit row per imported row).
 */
export interface LoadedRows extends LoadCounts {
  insertedIds: string[];
  updatedIds: string[];
}

/**
 * How one resource is imported and exported: its columns, the same validation as its API
 * (preloaded reference data, then per row), its natural key, and a set-based load of a batch.
 */
export interface Importer<Row = unknown> {
  readonly resource: ImportResource;
  /** The domain events' (and audit log's) name of one row: `product`, `contact`. */
  readonly entityType: string;
  /**
   * The header of exports and of import templates (imports accept these, in any order); may
   * depend on the organization (custom fields' `cf.<key>` columns), so read it after `prepare`.
   */
  readonly columns: readonly string[];
  /** Columns holding multi-line text: the only cells where tab and line breaks are allowed. */
  readonly multilineColumns: readonly string[];
  /** The column holding the natural key (where duplicates and conflicts are reported). */
  readonly keyColumn: string;
  /**
   * Loads what row validation (and the export's columns) need: the organization's custom field
   * definitions, tags, active currencies, units, categories... Called before an import and an
   * export; `actor` is who started an import (their rights decide e.g. tag creation; none for exports).
   */
  prepare(manager: EntityManager, orgId: string, actor?: { userId: string | null }): Promise<void>;
  /** The row ready to load, or every error it has (reference checks may query: async). */
  validate(
    values: Record<string, string>,
    line: number,
  ): Promise<{ row?: Row; errors: RowError[] }>;
  /** The natural key (duplicates in a file, conflicts with existing rows). */
  key(row: Row): string | undefined;
  /** Which of these keys already exist in the organization (asked for `onConflict: 'fail'` only). */
  existing(manager: EntityManager, orgId: string, keys: string[]): Promise<Set<string>>;
  /**
   * Loads rows (COPY into a staging table, then set-based SQL) in the caller's transaction. It may
   * be called several times in one transaction (the task isolates refused rows by splitting a
   * batch under savepoints), so it must recreate its staging table each time.
   */
  load(
    manager: EntityManager,
    orgId: string,
    rows: Row[],
    onConflict: ConflictMode,
  ): Promise<LoadedRows>;
  /** After each committed batch (not in a dry run), e.g. to drop cached list totals. */
  afterCommit?(orgId: string): Promise<void>;
  /**
   * Export: streams every row matching the filters (the list's per-parameter filters and its
   * compiled `?filter=`, see `compileListFilter`), in pages, as column values.
   */
  exportRows(
    manager: EntityManager,
    orgId: string,
    filters: Record<string, unknown>,
    after: string | undefined,
    limit: number,
    filter?: CompiledFilter,
  ): Promise<{ values: unknown[][]; last?: string }>;
}
