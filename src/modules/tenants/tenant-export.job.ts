import { Injectable, OnModuleInit } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { finished } from 'node:stream/promises';
import { to as copyTo } from 'pg-copy-streams';
import type { Readable } from 'node:stream';
import { DataSource } from 'typeorm';
import { NotFoundError } from '../../core/http';
import { commitTransaction } from '../../core/tenancy';
import { FilesService } from '../files';
import { defineJob, JobContext, JobHandler, JobRegistry } from '../jobs';
import type { TenantExportResultDto } from './dto/tenant-offboarding.dto';
import { TenantDataRepository } from './tenant-data.repository';

export interface TenantExportPayload {
  tenantId: string;
}

export const TENANT_EXPORT_TASK = defineJob<TenantExportPayload>({
  name: 'tenant.export',
  attempts: 3,
  runsWhenArchived: true, // reads only; offboarding may archive the tenant first
});

/** The pg client under a TypeORM query runner (COPY needs it). */
interface RawClient {
  query(stream: NodeJS.WritableStream | Readable): Readable & { rowCount?: number };
}

/**
 * Writes every row of a tenant (its root organization and all descendants) to one ZIP archive:
 * one CSV per table (with a header; `''` and NULL kept apart by COPY's csv format) and a
 * `manifest.json` with the row counts. All tables are read in one REPEATABLE READ READ ONLY
 * transaction, so the archive is one consistent snapshot; rows stream from COPY into the archive
 * into storage, so memory stays flat whatever the tenant's size. Secrets (password, key, token
 * and code hashes, TOTP secrets) are never exported.
 */
@Injectable()
export class TenantExportJob
  implements JobHandler<TenantExportPayload, TenantExportResultDto>, OnModuleInit
{
  readonly definition = TENANT_EXPORT_TASK;
  private readonly repository = new TenantDataRepository();

  constructor(
    private readonly registry: JobRegistry,
    private readonly files: FilesService,
    @InjectDataSource() private readonly dataSource: DataSource,
  ) {}

  onModuleInit(): void {
    this.registry.register(this);
  }

  async run(context: JobContext<TenantExportPayload>): Promise<TenantExportResultDto> {
    const { tenantId } = context.payload;
    const runner = this.dataSource.createQueryRunner();
    await runner.connect();
    try {
      await runner.query('BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY');
      const root = await this.repository.findRoot(runner.manager, tenantId);
      if (!root) throw new NotFoundError('Tenant');
      const orgIds = await this.repository.subtreeIds(runner.manager, root);
      const tables = await this.repository.exportTables(runner.manager, orgIds);
      const client = (runner as unknown as { databaseConnection: RawClient }).databaseConnection;

      // Required here, not at the top: only this job zips (archiver is ~150 modules with its
      // dependencies, which every process and e2e test file otherwise loaded at boot).
      const { default: archiver } = await import('archiver');
      const archive = archiver('zip', { zlib: { level: 6 } });
      const stamp = new Date().toISOString().slice(0, 10);
      const storing = this.files.storeGenerated(
        tenantId,
        {
          stream: archive,
          filename: `tenant-${root.code}-${stamp}.zip`,
          contentType: 'application/zip',
          extension: 'zip',
        },
        { actorUserId: context.userId, actorApiKeyId: null, requestId: null, ip: null },
      );
      const counts: Record<string, number> = {};
      try {
        // The client runs one COPY at a time in order, and the archive reads its entries in
        // order, so each COPY streams straight through.
        for (const table of tables) {
          const rows = client.query(
            copyTo(`COPY (${table.select}) TO STDOUT WITH (FORMAT csv, HEADER)`),
          );
          archive.append(rows, { name: `${table.name}.csv` });
          await finished(rows);
          counts[table.name] = rows.rowCount ?? 0;
        }
        const manifest = {
          tenant: { id: root.id, code: root.code, name: root.name },
          exportedAt: new Date().toISOString(),
          organizations: orgIds,
          tables: counts,
          format: 'One CSV per table (RFC 4180, header row, UTF-8); empty unquoted field = NULL',
        };
        archive.append(JSON.stringify(manifest, null, 2), { name: 'manifest.json' });
        await archive.finalize();
      } catch (error) {
        archive.abort();
        await storing.catch(() => undefined);
        throw error;
      }
      const file = await storing;
      await commitTransaction(runner);
      await context.progress(100);
      return { tenantId, fileId: file.id, organizations: orgIds.length, tables: counts };
    } catch (error) {
      await runner.query('ROLLBACK').catch(() => undefined);
      throw error;
    } finally {
      await runner.release();
    }
  }
}
