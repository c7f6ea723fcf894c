import '@fastify/multipart';
import {
  Body,
  Controller,
  Get,
  HttpCode,
  HttpStatus,
  Post,
  Put,
  Query,
  Req,
  Res,
} from '@nestjs/common';
import {
  ApiBody,
  ApiConsumes,
  ApiCreatedResponse,
  ApiNoContentResponse,
  ApiNotFoundResponse,
  ApiOkResponse,
  ApiOperation,
  ApiPayloadTooLargeResponse,
  ApiProduces,
  ApiProperty,
  ApiTags,
  ApiUnsupportedMediaTypeResponse,
} from '@nestjs/swagger';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { IsString, Length } from 'class-validator';
import type { Readable } from 'node:stream';
import {
  ActiveOrganization,
  AllowedWhenArchived,
  AuditContext,
  AuditContextParam,
  ListScope,
  Public,
  RequirePermissions,
} from '../../core/auth';
import { Clock } from '../../core/clock';
import { AppConfig } from '../../core/config';
import {
  ActionRoute,
  DeleteRoute,
  ErrorEnvelopeDto,
  ExpectedVersion,
  IdParam,
  IfMatch,
  ListQueryParser,
  ListRoute,
  LocationOf,
  NotFoundError,
  Page,
  ReadRoute,
} from '../../core/http';
import {
  CreatePresignedUploadDto,
  FileDto,
  PresignedUploadDto,
  SignedUrlDto,
  UploadFileDto,
} from './dto/file.dto';
import { FILE_LIST, FilesService } from './files.service';
import { contentDisposition } from './storage/storage-backend';
import { UrlSigner } from './storage/url-signer';
import { FilesErrors } from './files.errors';

/** `?token=` of a signed URL (in the query: path parameters are capped at 200 characters). */
class SignedTokenQuery {
  @ApiProperty() @IsString() @Length(10, 2000) token: string;
}

@ApiTags('files')
@ApiNotFoundResponse({ description: 'No such file in this organization', type: ErrorEnvelopeDto })
@Controller('files')
export class FilesController {
  constructor(
    private readonly files: FilesService,
    private readonly lists: ListQueryParser,
    private readonly signer: UrlSigner,
    private readonly config: AppConfig,
    private readonly clock: Clock,
  ) {}

  @ListRoute('files:read', 'Files of this organization', FILE_LIST, FileDto)
  async list(
    @ListScope() scope: ListScope,
    @ActiveOrganization() orgId: string,
    @Query() raw: Record<string, unknown>,
  ): Promise<Page<FileDto>> {
    return this.files.list(orgId, await this.lists.resolve(FILE_LIST, raw, scope));
  }

  @Post()
  @LocationOf('files')
  @RequirePermissions('files:manage')
  @ApiOperation({
    summary: 'Upload one file (multipart field "file"), streamed; its type is checked on its bytes',
  })
  @ApiConsumes('multipart/form-data')
  @ApiBody({ type: UploadFileDto })
  @ApiCreatedResponse({ type: FileDto })
  @ApiPayloadTooLargeResponse({ type: ErrorEnvelopeDto })
  @ApiUnsupportedMediaTypeResponse({
    description: '`unsupported_file_type`: content not accepted or not what was declared',
    type: ErrorEnvelopeDto,
  })
  async upload(
    @ActiveOrganization() orgId: string,
    @Req() request: FastifyRequest,
    @AuditContextParam() context: AuditContext,
  ): Promise<FileDto> {
    if (!request.isMultipart()) {
      throw FilesErrors.multipart_required();
    }
    const part = await request.file({
      limits: { fileSize: this.config.files.maxUploadBytes, files: 1 },
    });
    if (!part || part.fieldname !== 'file') {
      throw FilesErrors.file_required();
    }
    return this.files.upload(
      orgId,
      {
        stream: part.file,
        filename: part.filename,
        declaredType: part.mimetype,
        truncated: () => part.file.truncated,
      },
      context,
    );
  }

  @Post('presigned-uploads')
  @RequirePermissions('files:manage')
  @ApiOperation({ summary: 'Direct upload, step 1: a pending file and a URL to PUT its bytes to' })
  @ApiCreatedResponse({ type: PresignedUploadDto })
  presignedUpload(
    @ActiveOrganization() orgId: string,
    @Body() dto: CreatePresignedUploadDto,
    @AuditContextParam() context: AuditContext,
  ): Promise<PresignedUploadDto> {
    return this.files.presignedUpload(orgId, dto, context);
  }

  @Get('signed')
  @Public()
  @ApiOperation({ summary: 'Download through a signed URL (local storage backend)' })
  @ApiProduces('application/octet-stream')
  async signedDownload(
    @Query() query: SignedTokenQuery,
    @Res() reply: FastifyReply,
  ): Promise<void> {
    const token = query.token;
    const grant = this.signer.verify(token, 'get', Math.floor(this.clock.now().getTime() / 1000));
    if (!grant) throw new NotFoundError('File');
    const found = await this.files.storage.head(grant.key);
    if (!found) throw new NotFoundError('File');
    await this.send(reply, await this.files.storage.stream(grant.key), {
      contentType: grant.type ?? 'application/octet-stream',
      filename: grant.filename ?? 'file',
      size: found.size,
    });
  }

  @Put('uploads')
  @Public()
  @HttpCode(HttpStatus.NO_CONTENT)
  @ApiOperation({
    summary: 'Direct upload, step 1½: PUT the bytes to the signed URL (local backend)',
  })
  @ApiConsumes('application/octet-stream')
  @ApiNoContentResponse()
  async directUpload(
    @Query() query: SignedTokenQuery,
    @Req() request: FastifyRequest,
  ): Promise<void> {
    const grant = this.signer.verify(
      query.token,
      'put',
      Math.floor(this.clock.now().getTime() / 1000),
    );
    if (!grant || !(request.body as Readable | undefined)?.pipe) throw new NotFoundError('Upload');
    await this.files.receiveDirectUpload(
      grant.key,
      request.body as Readable,
      grant.max ?? this.config.files.maxUploadBytes,
    );
  }

  @ReadRoute('files:read', 'File metadata (ETag for If-Match)', FileDto)
  get(@ActiveOrganization() orgId: string, @IdParam() id: string): Promise<FileDto> {
    return this.files.get(orgId, id);
  }

  @Get(':id/content')
  @RequirePermissions('files:read')
  @ApiOperation({ summary: 'Download the bytes (streamed, as an attachment)' })
  @ApiProduces('application/octet-stream')
  async download(
    @ActiveOrganization() orgId: string,
    @IdParam() id: string,
    @Res() reply: FastifyReply,
  ): Promise<void> {
    const row = await this.files.ready(orgId, id);
    await this.send(reply, await this.files.storage.stream(row.storage_key), {
      contentType: row.content_type,
      filename: row.original_name,
      size: row.size,
    });
  }

  @ActionRoute(
    ':id/signed-url',
    'files:read',
    'A short-lived URL that downloads the file without credentials',
    SignedUrlDto,
  )
  @AllowedWhenArchived()
  signedUrl(@ActiveOrganization() orgId: string, @IdParam() id: string): Promise<SignedUrlDto> {
    return this.files.signedUrl(orgId, id);
  }

  @Post(':id/confirm')
  @HttpCode(HttpStatus.OK)
  @RequirePermissions('files:manage')
  @ApiOperation({
    summary: 'Direct upload, step 2: check the uploaded bytes and mark the file ready',
  })
  @ApiOkResponse({ type: FileDto })
  @ApiUnsupportedMediaTypeResponse({ type: ErrorEnvelopeDto })
  confirm(
    @ActiveOrganization() orgId: string,
    @IdParam() id: string,
    @AuditContextParam() context: AuditContext,
  ): Promise<FileDto> {
    return this.files.confirm(orgId, id, context);
  }

  @DeleteRoute('files:manage', 'Delete a file, its bytes and its attachments')
  async delete(
    @ActiveOrganization() orgId: string,
    @IdParam() id: string,
    @IfMatch() version: ExpectedVersion,
    @AuditContextParam() context: AuditContext,
  ): Promise<void> {
    await this.files.delete(orgId, id, version, context);
  }

  private async send(
    reply: FastifyReply,
    stream: Readable,
    file: { contentType: string; filename: string; size: number | null },
  ): Promise<void> {
    void reply
      .header('Content-Type', file.contentType)
      .header('Content-Disposition', contentDisposition(file.filename))
      .header('X-Content-Type-Options', 'nosniff')
      .header('Cache-Control', 'private, no-store');
    if (file.size !== null) void reply.header('Content-Length', String(file.size));
    await reply.send(stream);
  }
}
