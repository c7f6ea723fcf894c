import { Injectable, OnModuleInit } from '@nestjs/common';
import { Readable, Transform } from 'node:stream';
import { EntityManager, QueryFailedError } from 'typeorm';
import { mapError } from '../../core/http';
import { DEFAULT_LANGUAGE, type Language } from '../../core/i18n';
import { TenantDatabase, withSavepoint } from '../../core/tenancy';
import { describeControlChar, findForbiddenControlChar } from '../../core/text';
import { AuditService } from '../audit';
import { DomainEvents } from '../domain-events';
import { FilesService } from '../files';
import { defineJob, JobContext, JobHandler, JobRegistry } from '../jobs';
import { ImporterRegistry } from './importer-registry';
import type {
  ConflictMode,
  Importer,
  ImportResource,
  LoadCounts,
  LoadedRows,
  RowError,
} from './importer';
import { translateRowError } from './row-messages';
import { SeenKeys } from './seen-keys';
import { csvLine, csvRows, SourceRow, XLSX_TYPE, xlsxRows } from './row-source';

export interface ImportPayload {
  fileId: string;
  resource: ImportResource;
  mode: 'dry-run' | 'commit';
  onConflict: ConflictMode;
  /** The language of the row messages (the starter's, resolved at `POST /imports`); default English. */
  language?: Language;
}

export interface ImportResult extends LoadCounts {
  resource: ImportResource;
  mode: 'dry-run' | 'commit';
  onConflict: ConflictMode;
  rows: number;
  valid: number;
  invalid: number;
  errorCount: number;
  /** The first 100 errors; all of them are in the error file. */
  errors: RowError[];
  /** A CSV of every error (line, column, message): `GET /files/{id}/content`. */
  errorFileId: string | null;
}

export const IMPORT_TASK = defineJob<ImportPayload>({ name: 'import.run', attempts: 3 });
/** Rows per COPY + merge; each batch commits once (a retried import skips committed batches). */
export const IMPORT_BATCH = 5_000;

interface BatchOutcome extends LoadCounts {
  /** Rows of the batch not loaded: key conflicts (`onConflict=fail`) and rows the database refused. */
  conflicts: RowError[];
}

interface BatchItem {
  row: unknown;
  line: number;
  key: string;
}

/** Thrown to roll a dry run's transaction back after it ran exactly what a commit runs. */
class DryRunRollback extends Error {
  constructor(readonly outcome: BatchOutcome) {
    super('dry run: rolled back');
  }
}

/**
 * A statement refused because of the data (SQLSTATE class 22 "data exception" or 23 "integrity
 * constraint violation"): a row problem to report, not a reason to fail the task.
 */
const isDataRefusal = (error: unknown): error is QueryFailedError =>
  error instanceof QueryFailedError &&
  /^2[23]/.test(String((error.driverError as { code?: string }).code ?? ''));

const camel = (column: string): string =>
  column.replace(/_([a-z0-9])/g, (_, c: string) => c.toUpperCase());

/**
 * The row error for a statement the database refused: the API's own translation of the failure
 * (code and detail of the error envelope, never PostgreSQL's text) and the column when known.
 */
function refusalError(error: QueryFailedError, line: number): RowError {
  const [object] = mapError(error).body.errors;
  const driver = error.driverError as { column?: string };
  const field = object.meta?.field;
  const column = typeof field === 'string' ? field : driver.column ? camel(driver.column) : '';
  return { line, column, message: `${object.detail} (${object.code})`, code: object.code };
}

/**
 * Cells that cannot be loaded whatever the column: a forbidden control character (the input rule
 * of every client string, `core/text`; tab and line breaks only in multi-line columns), or an
 * XLSX cell with no readable value. Checked before validation and before any query.
 */
export function cellErrors(source: SourceRow, multilineColumns: readonly string[]): RowError[] {
  const errors: RowError[] = (source.problems ?? []).map((p) => ({ line: source.line, ...p }));
  for (const [column, value] of Object.entries(source.values)) {
    const allowNewlines = multilineColumns.includes(column);
    const at = findForbiddenControlChar(value, { allowNewlines });
    if (at === -1) continue;
    errors.push({
      line: source.line,
      column,
      message:
        `contains the control character ${describeControlChar(value, at)} at position ${at + 1}` +
        (allowNewlines
          ? ' (only tab and line breaks are allowed)'
          : ' (not allowed in this column)'),
    });
  }
  return errors;
}

/**
 * Streams the uploaded file row by row (CSV or XLSX), validates every row with the API's rules,
 * and loads valid rows in batches: COPY into a staging table, then one set-based merge. Dry-run
 * validates and reports what would happen, writing nothing.
 */
@Injectable()
export class ImportJob implements JobHandler<ImportPayload, ImportResult>, OnModuleInit {
  readonly definition = IMPORT_TASK;

  constructor(
    private readonly registry: JobRegistry,
    private readonly importers: ImporterRegistry,
    private readonly files: FilesService,
    private readonly audit: AuditService,
    private readonly db: TenantDatabase,
    private readonly events: DomainEvents,
  ) {}

  onModuleInit(): void {
    this.registry.register(this);
  }

  async run(context: JobContext<ImportPayload>): Promise<ImportResult> {
    const { organizationId: orgId, payload } = context;
    const importer = this.importers.get(payload.resource).create();
    const file = await this.files.ready(orgId, payload.fileId);
    await this.db.run(orgId, (manager) =>
      importer.prepare(manager, orgId, { userId: context.userId }),
    );

    let bytesRead = 0;
    const counter = new Transform({
      transform(chunk: Buffer, _encoding, callback) {
        bytesRead += chunk.length;
        callback(null, chunk);
      },
    });
    const stream: Readable = (await this.files.storage.stream(file.storage_key)).pipe(counter);
    const rows = file.content_type === XLSX_TYPE ? xlsxRows(stream) : csvRows(stream);

    const result: ImportResult = {
      resource: payload.resource,
      mode: payload.mode,
      onConflict: payload.onConflict,
      rows: 0,
      valid: 0,
      invalid: 0,
      inserted: 0,
      updated: 0,
      skipped: 0,
      errorCount: 0,
      errors: [],
      errorFileId: null,
    };
    const errors: RowError[] = [];
    const seen = new SeenKeys();
    let batch: BatchItem[] = [];
    let batchIndex = 0;

    const load = async (current: BatchItem[], index: number) => {
      const outcome = await this.loadBatch(context, importer, current, index);
      if (payload.mode === 'commit') await importer.afterCommit?.(orgId); // e.g. stale cached totals
      errors.push(...outcome.conflicts);
      result.valid += current.length - outcome.conflicts.length;
      result.inserted += outcome.inserted;
      result.updated += outcome.updated;
      result.skipped += outcome.skipped;
      await context.progress(file.size ? (90 * bytesRead) / file.size : 50);
    };
    // One batch is loading in PostgreSQL while the next one is parsed and validated here: the two
    // halves of the work use different processes (and cores). Batches still load one at a time,
    // in file order, so `once` keys, conflicts and counts are what a sequential run gives.
    let loading: Promise<void> | undefined;
    const flush = async () => {
      if (batch.length === 0) return;
      const current = batch;
      batch = [];
      const index = batchIndex++;
      if (loading) await loading;
      loading = load(current, index);
      // Observed by the next flush or the final await; never an unhandled rejection meanwhile.
      loading.catch(() => undefined);
    };

    for await (const source of rows as AsyncIterable<SourceRow>) {
      result.rows += 1;
      const refused = cellErrors(source, importer.multilineColumns);
      const { row, errors: rowErrors } = await importer.validate(source.values, source.line);
      if (refused.length || !row) {
        // A refused cell's own message says it all; its column's validation errors would not.
        const refusedColumns = new Set(refused.map((e) => e.column));
        errors.push(...refused, ...rowErrors.filter((e) => !refusedColumns.has(e.column)));
        continue;
      }
      const key = importer.key(row);
      if (key !== undefined && !seen.add(key)) {
        errors.push({
          line: source.line,
          column: importer.keyColumn,
          message: 'appears twice in this file',
        });
        continue;
      }
      batch.push({ row, line: source.line, key: key ?? '' });
      if (batch.length >= IMPORT_BATCH) await flush();
    }
    await flush();
    await loading;

    errors.sort((a, b) => a.line - b.line);
    const language = payload.language ?? DEFAULT_LANGUAGE;
    const shown = errors.map((e) => translateRowError(e, language));
    result.errorCount = errors.length;
    result.invalid = new Set(errors.map((e) => e.line)).size;
    result.errors = shown.slice(0, 100);
    if (shown.length) {
      const report = await this.files.storeGenerated(
        orgId,
        {
          stream: Readable.from([
            csvLine(['line', 'column', 'message']),
            ...shown.map((e) => csvLine([e.line, e.column, e.message])),
          ]),
          filename: `import-errors-${context.taskId}.csv`,
          contentType: 'text/csv',
          extension: 'csv',
        },
        { actorUserId: context.userId, actorApiKeyId: null, requestId: null, ip: null },
      );
      result.errorFileId = report.id;
    }
    if (payload.mode === 'commit') {
      await this.db.runAsSystem('background-jobs', (manager) =>
        this.audit.record(manager, {
          organizationId: orgId,
          action: 'import',
          entityType: payload.resource === 'products' ? 'product' : 'contact',
          changes: {
            taskId: context.taskId,
            fileId: payload.fileId,
            rows: result.rows,
            inserted: result.inserted,
            updated: result.updated,
            skipped: result.skipped,
            invalid: result.invalid,
          },
          context: { actorUserId: context.userId, actorApiKeyId: null, requestId: null, ip: null },
        }),
      );
    }
    await context.progress(100);
    return result;
  }

  /**
   * Conflicts with existing rows, then the load. A commit runs inside `once`, so a retry after a
   * crash returns this batch's stored outcome instead of loading (and judging) it again. A dry run
   * runs exactly the same statements in a transaction it then rolls back, so both report the
   * same rows, including rows only the database refuses.
   */
  private async loadBatch(
    context: JobContext<ImportPayload>,
    importer: Importer,
    batch: BatchItem[],
    index: number,
  ): Promise<BatchOutcome> {
    const { organizationId: orgId, payload } = context;
    const judge = async (manager: EntityManager): Promise<BatchOutcome> => {
      // Deferred constraints fire at each statement, inside the savepoints below, so a row they
      // refuse is found and reported here rather than failing the whole batch at COMMIT.
      await manager.query('SET CONSTRAINTS ALL IMMEDIATE');
      // Only `fail` reports existing keys; `skip` and `update` leave them to the merge's ON
      // CONFLICT, so they do not pay for the lookup (one indexed probe per row of the batch).
      const existing =
        payload.onConflict === 'fail'
          ? await importer.existing(
              manager,
              orgId,
              batch.map((b) => b.key),
            )
          : new Set<string>();
      const conflicts: RowError[] = [];
      const rows: BatchItem[] = [];
      for (const item of batch) {
        if (existing.has(item.key) && payload.onConflict === 'fail') {
          conflicts.push({
            line: item.line,
            column: importer.keyColumn,
            message: 'already exists',
          });
          continue;
        }
        rows.push(item);
      }
      const loaded = await this.loadIsolatingRefusals(
        manager,
        importer,
        orgId,
        payload.onConflict,
        rows,
      );
      // No audit row per imported row: one event per row instead, in the batch's transaction
      // (search and realtime consumers stay correct; a dry run rolls them back with the rows).
      const event = (verb: string) => (id: string) => ({
        organizationId: orgId,
        type: `${importer.entityType}.${verb}`,
        entityType: importer.entityType,
        entityId: id,
        actorUserId: context.userId,
        actorApiKeyId: null,
        data: { source: 'import', taskId: context.taskId },
      });
      await this.events.publishMany(manager, [
        ...loaded.insertedIds.map(event('created')),
        ...loaded.updatedIds.map(event('updated')),
      ]);
      return {
        inserted: loaded.inserted,
        updated: loaded.updated,
        skipped: loaded.skipped,
        conflicts: [...conflicts, ...loaded.refused],
      };
    };
    if (payload.mode === 'dry-run') {
      try {
        await this.db.runAsSystem('background-jobs', async (manager) => {
          throw new DryRunRollback(await judge(manager));
        });
      } catch (error) {
        if (error instanceof DryRunRollback) return error.outcome;
        throw error;
      }
    }
    return context.once(`batch:${index}`, judge);
  }

  /**
   * Loads rows set-based; when the database refuses the set (a constraint, a value out of range),
   * splits it in halves under savepoints until each refused row is isolated and reported, and
   * loads all the others. A refusal costs O(log n) extra statements per refused row.
   */
  private async loadIsolatingRefusals(
    manager: EntityManager,
    importer: Importer,
    orgId: string,
    onConflict: ConflictMode,
    items: BatchItem[],
  ): Promise<LoadedRows & { refused: RowError[] }> {
    const none = {
      inserted: 0,
      updated: 0,
      skipped: 0,
      insertedIds: [] as string[],
      updatedIds: [] as string[],
      refused: [] as RowError[],
    };
    if (items.length === 0) return none;
    try {
      const counts = await withSavepoint(manager, 'import_rows', () =>
        importer.load(
          manager,
          orgId,
          items.map((i) => i.row),
          onConflict,
        ),
      );
      return { ...counts, refused: [] };
    } catch (error) {
      // withSavepoint rolled the batch back (and released the savepoint).
      if (!isDataRefusal(error)) throw error;
      if (items.length === 1) return { ...none, refused: [refusalError(error, items[0].line)] };
      const half = Math.ceil(items.length / 2);
      const split = (part: BatchItem[]) =>
        this.loadIsolatingRefusals(manager, importer, orgId, onConflict, part);
      const first = await split(items.slice(0, half));
      const second = await split(items.slice(half));
      return {
        inserted: first.inserted + second.inserted,
        updated: first.updated + second.updated,
        skipped: first.skipped + second.skipped,
        insertedIds: [...first.insertedIds, ...second.insertedIds],
        updatedIds: [...first.updatedIds, ...second.updatedIds],
        refused: [...first.refused, ...second.refused],
      };
    }
  }
}
