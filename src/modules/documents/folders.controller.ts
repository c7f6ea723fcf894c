import { Body, Controller, Query } from '@nestjs/common';
import { ApiConflictResponse, ApiNotFoundResponse, ApiTags } from '@nestjs/swagger';
import { ActiveOrganization, AuditContext, AuditContextParam, ListScope } from '../../core/auth';
import {
  ActionRoute,
  CreateRoute,
  DeleteRoute,
  ErrorEnvelopeDto,
  ExpectedVersion,
  IdParam,
  IfMatch,
  ListQueryParser,
  ListRoute,
  Page,
  ReadRoute,
  UpdateRoute,
} from '../../core/http';
import { CreateFolderDto, FolderDto, MoveFolderDto, UpdateFolderDto } from './dto/folder.dto';
import { FOLDER_LIST, FoldersService } from './folders.service';

@ApiTags('documents')
@ApiNotFoundResponse({ description: 'No such folder in this organization', type: ErrorEnvelopeDto })
@Controller('folders')
export class FoldersController {
  constructor(
    private readonly folders: FoldersService,
    private readonly lists: ListQueryParser,
  ) {}

  @ListRoute(
    'folders:read',
    'Folders of this organization (filter by parent)',
    FOLDER_LIST,
    FolderDto,
  )
  async list(
    @ListScope() scope: ListScope,
    @ActiveOrganization() orgId: string,
    @Query() raw: Record<string, unknown>,
  ): Promise<Page<FolderDto>> {
    return this.folders.list(orgId, await this.lists.resolve(FOLDER_LIST, raw, scope));
  }

  @CreateRoute(
    'folders',
    'folders:create',
    'Create a folder (a root, or under a parent)',
    FolderDto,
  )
  @ApiConflictResponse({ description: 'name taken under this parent', type: ErrorEnvelopeDto })
  create(
    @ActiveOrganization() orgId: string,
    @Body() dto: CreateFolderDto,
    @AuditContextParam() context: AuditContext,
  ): Promise<FolderDto> {
    return this.folders.create(orgId, dto, context);
  }

  @ReadRoute('folders:read', 'One folder (ETag for If-Match)', FolderDto)
  get(@ActiveOrganization() orgId: string, @IdParam() id: string): Promise<FolderDto> {
    return this.folders.get(orgId, id);
  }

  @UpdateRoute('folders:update', 'Rename a folder', FolderDto)
  @ApiConflictResponse({ description: 'name taken under this parent', type: ErrorEnvelopeDto })
  update(
    @ActiveOrganization() orgId: string,
    @IdParam() id: string,
    @Body() dto: UpdateFolderDto,
    @IfMatch() version: ExpectedVersion,
    @AuditContextParam() context: AuditContext,
  ): Promise<FolderDto> {
    return this.folders.update(orgId, id, dto, version, context);
  }

  @ActionRoute(
    ':id/move',
    'folders:update',
    'Move a folder and its subtree (never under itself: 422 tree_cycle)',
    FolderDto,
  )
  @ApiConflictResponse({ description: 'name taken under the new parent', type: ErrorEnvelopeDto })
  move(
    @ActiveOrganization() orgId: string,
    @IdParam() id: string,
    @Body() dto: MoveFolderDto,
    @IfMatch() version: ExpectedVersion,
    @AuditContextParam() context: AuditContext,
  ): Promise<FolderDto> {
    return this.folders.move(orgId, id, dto, version, context);
  }

  @DeleteRoute('folders:delete', 'Delete an empty folder (409 folder_not_empty otherwise)')
  @ApiConflictResponse({ description: 'folder_not_empty', type: ErrorEnvelopeDto })
  async delete(
    @ActiveOrganization() orgId: string,
    @IdParam() id: string,
    @IfMatch() version: ExpectedVersion,
    @AuditContextParam() context: AuditContext,
  ): Promise<void> {
    await this.folders.delete(orgId, id, version, context);
  }
}
