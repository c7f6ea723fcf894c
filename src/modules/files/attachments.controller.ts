import { Body, Controller, Delete, Get, HttpCode, HttpStatus, Post, Query } from '@nestjs/common';
import {
  ApiCreatedResponse,
  ApiNoContentResponse,
  ApiNotFoundResponse,
  ApiOkResponse,
  ApiOperation,
  ApiTags,
} from '@nestjs/swagger';
import { IsIn, IsUUID } from 'class-validator';
import { ApiProperty } from '@nestjs/swagger';
import {
  ActiveOrganization,
  AuditContext,
  AuditContextParam,
  RequirePermissions,
} from '../../core/auth';
import { ErrorEnvelopeDto, IdParam, LocationOf } from '../../core/http';
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

  @Get()
  @RequirePermissions('files:read')
  @ApiOperation({ summary: 'Files attached to one entity' })
  @ApiOkResponse({ type: [AttachmentDto] })
  list(
    @ActiveOrganization() orgId: string,
    @Query() query: AttachmentQueryDto,
  ): Promise<AttachmentDto[]> {
    return this.attachments.list(orgId, query.entityType, query.entityId);
  }

  @Post()
  @LocationOf('attachments')
  @RequirePermissions('files:manage')
  @ApiOperation({ summary: 'Attach a file to a product, contact, warehouse, location or category' })
  @ApiCreatedResponse({ type: AttachmentDto })
  create(
    @ActiveOrganization() orgId: string,
    @Body() dto: CreateAttachmentDto,
    @AuditContextParam() context: AuditContext,
  ): Promise<AttachmentDto> {
    return this.attachments.create(orgId, dto, context);
  }

  @Delete(':id')
  @HttpCode(HttpStatus.NO_CONTENT)
  @RequirePermissions('files:manage')
  @ApiOperation({ summary: 'Detach (the file stays)' })
  @ApiNoContentResponse()
  async delete(
    @ActiveOrganization() orgId: string,
    @IdParam() id: string,
    @AuditContextParam() context: AuditContext,
  ): Promise<void> {
    await this.attachments.delete(orgId, id, context);
  }
}
