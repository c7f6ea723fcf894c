import { Body, Controller, Query } from '@nestjs/common';
import { ApiNotFoundResponse, ApiTags } from '@nestjs/swagger';
import { IsIn, IsUUID } from 'class-validator';
import { ApiProperty } from '@nestjs/swagger';
import {
  ActiveOrganization,
  AuditContext,
  AuditContextParam,
  CurrentPrincipal,
  Principal,
} from '../../core/auth';
import { CreateRoute, DeleteRoute, ErrorEnvelopeDto, IdParam, ReadRoute } from '../../core/http';
import { AttachmentsService } from './attachments.service';
import {
  ATTACHABLE_TYPES,
  AttachableType,
  AttachmentDto,
  CreateAttachmentDto,
} from './dto/file.dto';

class AttachmentQueryDto {
  @ApiProperty({ enum: ATTACHABLE_TYPES }) @IsIn(ATTACHABLE_TYPES) entityType: AttachableType;
  @ApiProperty() @IsUUID() entityId: string;
}

@ApiTags('files')
@ApiNotFoundResponse({ description: 'Not in this organization', type: ErrorEnvelopeDto })
@Controller('attachments')
export class AttachmentsController {
  constructor(private readonly attachments: AttachmentsService) {}

  @ReadRoute('files:read', 'Files attached to one entity', [AttachmentDto], '')
  list(
    @ActiveOrganization() orgId: string,
    @CurrentPrincipal() principal: Principal,
    @Query() query: AttachmentQueryDto,
  ): Promise<AttachmentDto[]> {
    return this.attachments.list(orgId, principal.permissions, query.entityType, query.entityId);
  }

  @CreateRoute(
    'attachments',
    'files:manage',
    'Attach a file to a product, contact, warehouse, location or category',
    AttachmentDto,
  )
  create(
    @ActiveOrganization() orgId: string,
    @CurrentPrincipal() principal: Principal,
    @Body() dto: CreateAttachmentDto,
    @AuditContextParam() context: AuditContext,
  ): Promise<AttachmentDto> {
    return this.attachments.create(orgId, principal.permissions, dto, context);
  }

  @DeleteRoute('files:manage', 'Detach (the file stays)')
  async delete(
    @ActiveOrganization() orgId: string,
    @IdParam() id: string,
    @AuditContextParam() context: AuditContext,
  ): Promise<void> {
    await this.attachments.delete(orgId, id, context);
  }
}
