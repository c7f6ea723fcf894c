import { Injectable, OnModuleInit, Optional } from '@nestjs/common';
import { PassThrough, Readable } from 'node:stream';
import {
  CompiledFilter,
  CustomFieldCatalog,
  CustomFieldDescriptor,
  usesDateToken,
} from '../../core/filters';
import { compileListFilter, type ListDefinition } from '../../core/http';
import { TenantDatabase } from '../../core/tenancy';
import { FilesService } from '../files';
import { defineJob, JobContext, JobHandler, JobRegistry } from '../jobs';
import { ImporterRegistry } from './importer-registry';
import type { ImportResource } from './importer';
import { csvLine, loadExcel, XLSX_TYPE } from './row-source';

export interface ExportPayload {
  resource: ImportResource;
  format: 'csv' | 'xlsx';
  filters: Record<string, string>;
}

export interface ExportResult {
  resource: ImportResource;
  format: 'csv' | 'xlsx';
  rows: number;
  /** The export: `GET /files/{id}/content`. */
  fileId: string;
}

export const EXPORT_TASK = defineJob<ExportPayload>({
  name: 'export.run',
  attempts: 3,
  runsWhenArchived: true, // reads only
});
const PAGE = 1_000;

/**
 * Writes every row matching the list filters to a CSV or XLSX stored file, page by page with a
 * keyset cursor, streaming into storage: memory stays flat whatever the row count. The columns
 * are the import columns, so an export can be edited and imported back.
 */
@Injectable()
export class ExportJob implements JobHandler<ExportPayload, ExportResult>, OnModuleInit {
  readonly definition = EXPORT_TASK;

  constructor(
    private readonly registry: JobRegistry,
    private readonly importers: ImporterRegistry,
    private readonly files: FilesService,
    private readonly db: TenantDatabase,
    @Optional() private readonly catalog?: CustomFieldCatalog,
  ) {}

  onModuleInit(): void {
    this.registry.register(this);
  }

  /**
   * The export's `filter` (JSON of the list's `?filter=`, checked when the export was started)
   * compiled for the starter: `@me` is the user who started it, date tokens are days in the
   * organization's time zone when the job runs.
   */
  private async compiledFilter(
    context: JobContext<ExportPayload>,
    orgId: string,
  ): Promise<CompiledFilter | undefined> {
    const raw = context.payload.filters.filter;
    if (raw === undefined) return undefined;
    const { list } = this.importers.get(context.payload.resource);
    const custom = new Map<string, CustomFieldDescriptor>();
    if (this.catalog && list.customFields && raw.includes('cf.')) {
      for (const d of await this.catalog.definitions(orgId, list.customFields.entityType)) {
        custom.set(d.key, d);
      }
    }
    const timezone = usesDateToken(raw)
      ? await this.db.read(orgId, async (manager) => {
          const rows = await manager.query<{ timezone: string | null }[]>(
            'SELECT timezone FROM organizations WHERE id = $1',
            [orgId],
          );
          return rows[0]?.timezone || 'UTC';
        })
      : 'UTC';
    return compileListFilter(
      list as ListDefinition,
      raw,
      { orgId, userId: context.userId, now: new Date(), timezone },
      custom,
    );
  }

  async run(context: JobContext<ExportPayload>): Promise<ExportResult> {
    const { organizationId: orgId, payload } = context;
    const importer = this.importers.get(payload.resource).create();
    const filter = await this.compiledFilter(context, orgId);
    const db = this.db;
    // The columns may depend on the organization (custom fields: `cf.<key>`).
    await db.run(orgId, (manager) => importer.prepare(manager, orgId));
    let rows = 0;
    async function* pages(): AsyncGenerator<unknown[]> {
      let after: string | undefined;
      for (;;) {
        const page = await db.run(orgId, (manager) =>
          importer.exportRows(manager, orgId, payload.filters, after, PAGE, filter),
        );
        for (const values of page.values) yield values;
        rows += page.values.length;
        if (page.values.length < PAGE) return;
        after = page.last;
      }
    }
    const stamp = new Date().toISOString().slice(0, 10);
    const owner = { actorUserId: context.userId, actorApiKeyId: null, requestId: null, ip: null };
    let stream: Readable;
    if (payload.format === 'csv') {
      stream = Readable.from(
        (async function* () {
          yield csvLine([...importer.columns]);
          for await (const values of pages()) yield csvLine(values);
        })(),
      );
    } else {
      const output = new PassThrough();
      const ExcelJS = await loadExcel();
      const workbook = new ExcelJS.stream.xlsx.WorkbookWriter({
        stream: output,
        useStyles: false,
        useSharedStrings: false,
      });
      const sheet = workbook.addWorksheet(payload.resource);
      void (async () => {
        try {
          sheet.addRow([...importer.columns]).commit();
          for await (const values of pages()) sheet.addRow(values.map((v) => v ?? '')).commit();
          sheet.commit();
          await workbook.commit();
        } catch (error) {
          output.destroy(error as Error);
        }
      })();
      stream = output;
    }
    const file = await this.files.storeGenerated(
      orgId,
      {
        stream,
        filename: `${payload.resource}-${stamp}.${payload.format}`,
        contentType: payload.format === 'csv' ? 'text/csv' : XLSX_TYPE,
        extension: payload.format,
      },
      owner,
    );
    await context.progress(100);
    return { resource: payload.resource, format: payload.format, rows, fileId: file.id };
  }
}
