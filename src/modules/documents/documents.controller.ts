import { Body, Controller, Get, Param, Post, Query, Res } from '@nestjs/common';
import {
  ApiConflictResponse,
  ApiCreatedResponse,
  ApiNotFoundResponse,
  ApiOkResponse,
  ApiOperation,
  ApiParam,
  ApiProduces,
  ApiTags,
} from '@nestjs/swagger';
import type { FastifyReply } from 'fastify';
import {
  ActiveOrganization,
  AuditContext,
  AuditContextParam,
  CurrentPrincipal,
  CurrentUserId,
  ListScope,
  Principal,
  RequirePermissions,
  RequireUser,
} from '../../core/auth';
import {
  ActionRoute,
  CreateRoute,
  DeleteRoute,
  ErrorEnvelopeDto,
  ExpectedVersion,
  IdParam,
  IfMatch,
  IssuesSecret,
  ListQueryParser,
  ListRoute,
  NotFoundError,
  Page,
  ReadRoute,
  UpdateRoute,
} from '../../core/http';
import { contentDisposition, FilesService } from '../files';
import {
  AddVersionDto,
  CheckinDto,
  CheckoutDto,
  ContentQueryDto,
  CreatedShareLinkDto,
  CreateDocumentDto,
  CreateShareLinkDto,
  DocumentDto,
  DocumentVersionDto,
  RestoreVersionDto,
  ShareLinkDto,
  UpdateDocumentDto,
} from './dto/document.dto';
import { DOCUMENT_LIST, DocumentContent, DocumentsService } from './documents.service';
import { ShareLinksService } from './share-links.service';

/** A version number in a path: 1 … 999,999,999. */
const VERSION_NUMBER = /^[1-9][0-9]{0,8}$/;

/** Sends a stored file's bytes as an attachment (the headers `GET /files/{id}/content` sends). */
export async function sendContent(
  files: FilesService,
  reply: FastifyReply,
  content: DocumentContent,
): Promise<void> {
  const stream = await files.storage.stream(content.storageKey);
  void reply
    .header('Content-Type', content.contentType)
    .header('Content-Disposition', contentDisposition(content.filename))
    .header('X-Content-Type-Options', 'nosniff')
    .header('Cache-Control', 'private, no-store');
  if (content.size !== null) void reply.header('Content-Length', String(content.size));
  await reply.send(stream);
}

@ApiTags('documents')
@ApiNotFoundResponse({
  description: 'No such document in this organization (or its target is not readable)',
  type: ErrorEnvelopeDto,
})
@Controller('documents')
export class DocumentsController {
  constructor(
    private readonly documents: DocumentsService,
    private readonly shareLinks: ShareLinksService,
    private readonly files: FilesService,
    private readonly lists: ListQueryParser,
  ) {}

  @ListRoute(
    'documents:read',
    'Documents (filter by status, folderId, type, tags, cf.<key>; q searches titles)',
    DOCUMENT_LIST,
    DocumentDto,
  )
  async list(
    @ListScope() scope: ListScope,
    @ActiveOrganization() orgId: string,
    @Query() raw: Record<string, unknown>,
    @CurrentPrincipal() caller: Principal,
  ): Promise<Page<DocumentDto>> {
    return this.documents.list(orgId, await this.lists.resolve(DOCUMENT_LIST, raw, scope), caller);
  }

  @CreateRoute(
    'documents',
    'documents:create',
    'Create a document whose version 1 is a ready file',
    DocumentDto,
  )
  create(
    @ActiveOrganization() orgId: string,
    @Body() dto: CreateDocumentDto,
    @AuditContextParam() context: AuditContext,
    @CurrentPrincipal() caller: Principal,
  ): Promise<DocumentDto> {
    return this.documents.create(orgId, dto, context, caller);
  }

  @ReadRoute('documents:read', 'One document (ETag for If-Match)', DocumentDto)
  get(
    @ActiveOrganization() orgId: string,
    @IdParam() id: string,
    @CurrentPrincipal() caller: Principal,
  ): Promise<DocumentDto> {
    return this.documents.get(orgId, id, caller);
  }

  @UpdateRoute(
    'documents:update',
    'Change title, type, status, folder, target, tags, custom fields',
    DocumentDto,
  )
  @ApiConflictResponse({ description: 'document_locked', type: ErrorEnvelopeDto })
  update(
    @ActiveOrganization() orgId: string,
    @IdParam() id: string,
    @Body() dto: UpdateDocumentDto,
    @IfMatch() version: ExpectedVersion,
    @AuditContextParam() context: AuditContext,
    @CurrentPrincipal() caller: Principal,
  ): Promise<DocumentDto> {
    return this.documents.update(orgId, id, dto, version, context, caller);
  }

  @DeleteRoute('documents:delete', 'Delete a document (its versions stay as history)')
  @ApiConflictResponse({ description: 'document_locked', type: ErrorEnvelopeDto })
  async delete(
    @ActiveOrganization() orgId: string,
    @IdParam() id: string,
    @IfMatch() version: ExpectedVersion,
    @AuditContextParam() context: AuditContext,
    @CurrentPrincipal() caller: Principal,
  ): Promise<void> {
    await this.documents.delete(orgId, id, version, context, caller);
  }

  @ReadRoute('documents:read', 'Every version, newest first', [DocumentVersionDto], ':id/versions')
  versions(
    @ActiveOrganization() orgId: string,
    @IdParam() id: string,
    @CurrentPrincipal() caller: Principal,
  ): Promise<DocumentVersionDto[]> {
    return this.documents.versions(orgId, id, caller);
  }

  @CreateRoute(
    'documents',
    'documents:update',
    'Add a version (If-Match or expectedVersion required; a stale one loses: 412 / 409)',
    DocumentDto,
    ':id/versions',
  )
  @ApiConflictResponse({ description: 'version_conflict, document_locked', type: ErrorEnvelopeDto })
  addVersion(
    @ActiveOrganization() orgId: string,
    @IdParam() id: string,
    @Body() dto: AddVersionDto,
    @IfMatch() version: ExpectedVersion,
    @AuditContextParam() context: AuditContext,
    @CurrentPrincipal() caller: Principal,
  ): Promise<DocumentDto> {
    return this.documents.addVersion(orgId, id, dto, version, context, caller);
  }

  @CreateRoute(
    'documents',
    'documents:update',
    'Restore version n: adds a new version pointing at its file',
    DocumentDto,
    ':id/versions/:number/restore',
  )
  @ApiConflictResponse({ description: 'document_locked', type: ErrorEnvelopeDto })
  @ApiParam({
    name: 'number',
    description: 'A version number of the document',
    schema: { type: 'string', pattern: VERSION_NUMBER.source },
  })
  restore(
    @ActiveOrganization() orgId: string,
    @IdParam() id: string,
    @Param('number') number: string,
    @Body() dto: RestoreVersionDto,
    @IfMatch() version: ExpectedVersion,
    @AuditContextParam() context: AuditContext,
    @CurrentPrincipal() caller: Principal,
  ): Promise<DocumentDto> {
    // A number that cannot be a version is as unknown as a missing one.
    if (!VERSION_NUMBER.test(number)) throw new NotFoundError('Version');
    return this.documents.restore(
      orgId,
      id,
      Number(number),
      dto.changeNote,
      version,
      context,
      caller,
    );
  }

  @Get(':id/content')
  @RequirePermissions('documents:read')
  @ApiOperation({ summary: 'Download a version (default: the current one), streamed' })
  @ApiProduces('application/octet-stream')
  @ApiOkResponse({ description: 'The bytes' })
  async content(
    @ActiveOrganization() orgId: string,
    @IdParam() id: string,
    @Query() query: ContentQueryDto,
    @CurrentPrincipal() caller: Principal,
    @Res() reply: FastifyReply,
  ): Promise<void> {
    await sendContent(
      this.files,
      reply,
      await this.documents.content(orgId, id, query.version, caller),
    );
  }

  @ActionRoute(
    ':id/checkout',
    'documents:update',
    'Check out (lock) for N minutes (default 60); others writing get 409 document_locked',
    DocumentDto,
  )
  @RequireUser()
  @ApiConflictResponse({ description: 'document_locked', type: ErrorEnvelopeDto })
  checkout(
    @ActiveOrganization() orgId: string,
    @IdParam() id: string,
    @Body() dto: CheckoutDto,
    @CurrentUserId() userId: string,
    @AuditContextParam() context: AuditContext,
    @CurrentPrincipal() caller: Principal,
  ): Promise<DocumentDto> {
    return this.documents.checkout(orgId, id, dto.minutes, userId, context, caller);
  }

  @ActionRoute(
    ':id/checkin',
    'documents:update',
    'Check in (unlock) as the lock holder, optionally with a new version',
    DocumentDto,
  )
  @RequireUser()
  @ApiConflictResponse({ description: 'not_checked_out', type: ErrorEnvelopeDto })
  checkin(
    @ActiveOrganization() orgId: string,
    @IdParam() id: string,
    @Body() dto: CheckinDto,
    @CurrentUserId() userId: string,
    @AuditContextParam() context: AuditContext,
    @CurrentPrincipal() caller: Principal,
  ): Promise<DocumentDto> {
    return this.documents.checkin(orgId, id, dto, userId, context, caller);
  }

  @ActionRoute(':id/force-unlock', 'documents:manage', 'Remove anyone’s check-out', DocumentDto)
  forceUnlock(
    @ActiveOrganization() orgId: string,
    @IdParam() id: string,
    @AuditContextParam() context: AuditContext,
    @CurrentPrincipal() caller: Principal,
  ): Promise<DocumentDto> {
    return this.documents.forceUnlock(orgId, id, context, caller);
  }

  @Post(':id/share-links')
  @IssuesSecret('token', 'url')
  @RequirePermissions('documents:update')
  @ApiOperation({
    summary: 'A public link to the current version until expiresAt; the token is shown once',
  })
  @ApiCreatedResponse({ type: CreatedShareLinkDto })
  createShareLink(
    @ActiveOrganization() orgId: string,
    @IdParam() id: string,
    @Body() dto: CreateShareLinkDto,
    @AuditContextParam() context: AuditContext,
    @CurrentPrincipal() caller: Principal,
  ): Promise<CreatedShareLinkDto> {
    return this.shareLinks.create(orgId, id, dto.expiresAt, context, caller);
  }

  @ReadRoute(
    'documents:read',
    'The document’s share links (never their tokens)',
    [ShareLinkDto],
    ':id/share-links',
  )
  listShareLinks(
    @ActiveOrganization() orgId: string,
    @IdParam() id: string,
    @CurrentPrincipal() caller: Principal,
  ): Promise<ShareLinkDto[]> {
    return this.shareLinks.list(orgId, id, caller);
  }

  @DeleteRoute('documents:update', 'Revoke a share link', ':id/share-links/:linkId')
  async revokeShareLink(
    @ActiveOrganization() orgId: string,
    @IdParam() id: string,
    @IdParam('linkId') linkId: string,
    @AuditContextParam() context: AuditContext,
    @CurrentPrincipal() caller: Principal,
  ): Promise<void> {
    await this.shareLinks.revoke(orgId, id, linkId, context, caller);
  }
}
