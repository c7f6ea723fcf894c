import { Injectable, OnModuleInit } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { Readable, Transform } from 'node:stream';
import { DataSource } from 'typeorm';
import { withTenant } from '../../core/tenancy';
import { AuditService } from '../audit';
import { ProductCounts } from '../products/product-counts';
import { FilesService } from '../files/files.service';
import { defineTask, TaskContext, TaskHandler, TaskRegistry } from '../tasks';
import { ImporterFactory } from './importer-factory';
import type { ConflictMode, ImportResource, LoadCounts, RowError } from './importer';
import { csvLine, csvRows, SourceRow, XLSX_TYPE, xlsxRows } from './row-source';

export interface ImportPayload {
  fileId: string;
  resource: ImportResource;
  mode: 'dry-run' | 'commit';
  onConflict: ConflictMode;
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

export const IMPORT_TASK = defineTask<ImportPayload>({ name: 'import.run', attempts: 3 });
/** Rows per COPY + merge; each batch commits once (a retried import skips committed batches). */
export const IMPORT_BATCH = 5_000;

interface BatchOutcome extends LoadCounts {
  conflicts: RowError[];
}

/**
 * Streams the uploaded file row by row (CSV or XLSX), validates every row with the API's rules,
 * and loads valid rows in batches: COPY into a staging table, then one set-based merge. Dry-run
 * validates and reports what would happen, writing nothing.
 */
@Injectable()
export class ImportTask implements TaskHandler<ImportPayload, ImportResult>, OnModuleInit {
  readonly definition = IMPORT_TASK;

  constructor(
    private readonly registry: TaskRegistry,
    private readonly importers: ImporterFactory,
    private readonly files: FilesService,
    private readonly audit: AuditService,
    private readonly productCounts: ProductCounts,
    @InjectDataSource() private readonly dataSource: DataSource,
  ) {}

  onModuleInit(): void {
    this.registry.register(this);
  }

  async run(context: TaskContext<ImportPayload>): Promise<ImportResult> {
    const { organizationId: orgId, payload } = context;
    const importer = this.importers.create(payload.resource);
    const file = await this.files.ready(orgId, payload.fileId);
    await withTenant(this.dataSource, orgId, (manager) => importer.prepare(manager, orgId));

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
    const seen = new Set<string>();
    let batch: { row: unknown; line: number; key: string }[] = [];
    let batchIndex = 0;

    const flush = async () => {
      if (batch.length === 0) return;
      const current = batch;
      batch = [];
      const index = batchIndex++;
      const outcome = await this.loadBatch(context, importer, current, index);
      if (payload.mode === 'commit' && payload.resource === 'products')
        await this.productCounts.invalidate(orgId); // committed: cached totals are stale
      errors.push(...outcome.conflicts);
      result.valid += current.length - outcome.conflicts.length;
      result.inserted += outcome.inserted;
      result.updated += outcome.updated;
      result.skipped += outcome.skipped;
      await context.progress(file.size ? (90 * bytesRead) / file.size : 50);
    };

    for await (const source of rows as AsyncIterable<SourceRow>) {
      result.rows += 1;
      const { row, errors: rowErrors } = importer.validate(source.values, source.line);
      if (!row) {
        errors.push(...rowErrors);
        continue;
      }
      const key = importer.key(row);
      if (key !== undefined && seen.has(key)) {
        errors.push({
          line: source.line,
          column: importer.keyColumn,
          message: 'appears twice in this file',
        });
        continue;
      }
      if (key !== undefined) seen.add(key);
      batch.push({ row, line: source.line, key: key ?? '' });
      if (batch.length >= IMPORT_BATCH) await flush();
    }
    await flush();

    errors.sort((a, b) => a.line - b.line);
    result.errorCount = errors.length;
    result.invalid = new Set(errors.map((e) => e.line)).size;
    result.errors = errors.slice(0, 100);
    if (errors.length) {
      const report = await this.files.storeGenerated(
        orgId,
        {
          stream: Readable.from([
            csvLine(['line', 'column', 'message']),
            ...errors.map((e) => csvLine([e.line, e.column, e.message])),
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
      await this.dataSource.transaction((manager) =>
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
   * Conflicts with existing rows, then the load — inside `once` for a commit, so a retry after a
   * crash returns this batch's stored outcome instead of loading (and judging) it again.
   */
  private async loadBatch(
    context: TaskContext<ImportPayload>,
    importer: ReturnType<ImporterFactory['create']>,
    batch: { row: unknown; line: number; key: string }[],
    index: number,
  ): Promise<BatchOutcome> {
    const { organizationId: orgId, payload } = context;
    const judge = async (
      manager: Parameters<typeof importer.existing>[0],
    ): Promise<BatchOutcome & { rows: unknown[] }> => {
      const existing = await importer.existing(
        manager,
        orgId,
        batch.map((b) => b.key),
      );
      const conflicts: RowError[] = [];
      const rows: unknown[] = [];
      let would = { inserted: 0, updated: 0, skipped: 0 };
      for (const item of batch) {
        const exists = existing.has(item.key);
        if (exists && payload.onConflict === 'fail') {
          conflicts.push({
            line: item.line,
            column: importer.keyColumn,
            message: 'already exists',
          });
          continue;
        }
        rows.push(item.row);
        if (!exists) would.inserted += 1;
        else if (payload.onConflict === 'update') would.updated += 1;
        else would.skipped += 1;
      }
      if (payload.mode === 'dry-run') return { ...would, conflicts, rows };
      would = rows.length ? await importer.load(manager, orgId, rows, payload.onConflict) : would;
      return { ...would, conflicts, rows: [] };
    };
    if (payload.mode === 'dry-run') {
      const outcome = await withTenant(this.dataSource, orgId, judge);
      return {
        inserted: outcome.inserted,
        updated: outcome.updated,
        skipped: outcome.skipped,
        conflicts: outcome.conflicts,
      };
    }
    const outcome = await context.once(`batch:${index}`, async (manager) => {
      const { rows: _rows, ...stored } = await judge(manager);
      void _rows;
      return stored;
    });
    return outcome;
  }
}
