import '@fastify/multipart';
import { Body, Controller, HttpCode, HttpStatus, Post, Query, Req } from '@nestjs/common';
import {
  ApiAcceptedResponse,
  ApiBody,
  ApiConsumes,
  ApiOperation,
  ApiTags,
  ApiUnsupportedMediaTypeResponse,
} from '@nestjs/swagger';
import type { FastifyRequest } from 'fastify';
import {
  ActiveOrganization,
  AuditContext,
  AuditContextParam,
  CurrentPrincipal,
  Principal,
  RequirePermissions,
} from '../../core/auth';
import { AppConfig } from '../../core/config';
import { languageOf } from '../../core/i18n';
import {
  CoreErrors,
  ErrorEnvelopeDto,
  ListQueryParser,
  ValidationFailedError,
} from '../../core/http';
import { UploadFileDto, FilesService } from '../files';
import { TaskStartedDto, JobsService } from '../jobs';
import { CreateExportDto, ImportQueryDto, ImportStartedDto } from './dto/import.dto';
import { EXPORT_TASK } from './export.job';
import { IMPORT_TASK } from './import.job';
import type { ImportResource } from './importer';
import { ImporterRegistry } from './importer-registry';
import { XLSX_TYPE } from './row-source';
import { ImportsErrors } from './imports.errors';

const needs = (principal: Principal, resource: ImportResource, action: 'read' | 'manage') => {
  const permission = `${resource}:${action}`;
  if (!principal.permissions.has(permission)) throw CoreErrors.forbidden(`Requires ${permission}`);
};

@ApiTags('imports')
@Controller()
export class ImportsController {
  constructor(
    private readonly files: FilesService,
    private readonly tasks: JobsService,
    private readonly config: AppConfig,
    private readonly importers: ImporterRegistry,
    private readonly lists: ListQueryParser,
  ) {}

  @Post('imports')
  @HttpCode(HttpStatus.ACCEPTED)
  @RequirePermissions('files:manage')
  @ApiOperation({
    summary:
      'Import products or contacts from CSV or XLSX (multipart field "file"; also needs <resource>:manage) → 202 task',
  })
  @ApiConsumes('multipart/form-data')
  @ApiBody({ type: UploadFileDto })
  @ApiAcceptedResponse({ type: ImportStartedDto })
  @ApiUnsupportedMediaTypeResponse({ description: 'Not CSV or XLSX', type: ErrorEnvelopeDto })
  async import(
    @ActiveOrganization() orgId: string,
    @Query() query: ImportQueryDto,
    @Req() request: FastifyRequest,
    @CurrentPrincipal() principal: Principal,
    @AuditContextParam() context: AuditContext,
  ): Promise<ImportStartedDto> {
    needs(principal, query.resource, 'manage');
    const part = request.isMultipart()
      ? await request.file({ limits: { fileSize: this.config.files.maxUploadBytes, files: 1 } })
      : undefined;
    if (!part || part.fieldname !== 'file') {
      throw ImportsErrors.file_required();
    }
    const declared =
      part.mimetype === 'application/octet-stream' && /\.csv$/i.test(part.filename)
        ? 'text/csv'
        : part.mimetype;
    const file = await this.files.upload(
      orgId,
      {
        stream: part.file,
        filename: part.filename,
        declaredType: declared,
        truncated: () => part.file.truncated,
      },
      context,
    );
    if (!['text/csv', 'text/plain', XLSX_TYPE].includes(file.contentType)) {
      throw ImportsErrors.unsupported_import_file();
    }
    const taskId = await this.tasks.start(
      IMPORT_TASK,
      {
        fileId: file.id,
        resource: query.resource,
        mode: query.mode ?? 'dry-run',
        onConflict: query.onConflict ?? 'fail',
        // Row messages are written in the starter's language (?lang, profile, Accept-Language...).
        language: languageOf(request),
      },
      orgId,
      context,
    );
    return { taskId, fileId: file.id };
  }

  @Post('exports')
  @HttpCode(HttpStatus.ACCEPTED)
  @RequirePermissions('files:read')
  @ApiOperation({
    summary: 'Export a filtered list (also needs <resource>:read) to a CSV or XLSX file → 202 task',
  })
  @ApiAcceptedResponse({ type: TaskStartedDto })
  async export(
    @ActiveOrganization() orgId: string,
    @Body() dto: CreateExportDto,
    @CurrentPrincipal() principal: Principal,
    @AuditContextParam() context: AuditContext,
  ): Promise<TaskStartedDto> {
    needs(principal, dto.resource, 'read');
    const filters = dto.filters ?? {};
    // The list route's own grammar: an unknown or mistyped filter is a 422 now, not a failed task.
    const limits = { defaultSize: 1, maxSize: 1 };
    if (filters.savedFilterId !== undefined) {
      throw new ValidationFailedError([
        { pointer: '/filters/savedFilterId', detail: 'an export takes filter, not savedFilterId' },
      ]);
    }
    await this.lists.resolve(
      this.importers.get(dto.resource).list,
      filters,
      { orgId, userId: principal.userId },
      { limits },
    );
    const taskId = await this.tasks.start(
      EXPORT_TASK,
      { resource: dto.resource, format: dto.format ?? 'csv', filters },
      orgId,
      context,
    );
    return { taskId };
  }
}
