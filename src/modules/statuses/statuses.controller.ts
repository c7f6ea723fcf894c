import { Body, Controller, Query } from '@nestjs/common';
import {
  ApiConflictResponse,
  ApiForbiddenResponse,
  ApiNotFoundResponse,
  ApiTags,
  ApiUnprocessableEntityResponse,
} from '@nestjs/swagger';
import { ActiveOrganization, AuditContext, AuditContextParam } from '../../core/auth';
import {
  CreateRoute,
  DeleteRoute,
  ErrorEnvelopeDto,
  ExpectedVersion,
  IdParam,
  IfMatch,
  ReadRoute,
  UpdateRoute,
} from '../../core/http';
import { CreateStatusDto, StatusDto, StatusQueryDto, UpdateStatusDto } from './dto/status.dto';
import { StatusesService } from './statuses.service';

const READ_ONLY = {
  description: '`system_status_read_only`: system statuses cannot be changed or deleted',
  type: ErrorEnvelopeDto,
};

@ApiTags('statuses')
@ApiNotFoundResponse({
  description: 'No such status among the system ones and this organization’s',
  type: ErrorEnvelopeDto,
})
@Controller('statuses')
export class StatusesController {
  constructor(private readonly statuses: StatusesService) {}

  @ReadRoute(
    'statuses:read',
    'System and organization statuses in order (position, system first, code); ?entityType= keeps those that apply to it',
    [StatusDto],
    '',
  )
  @ApiUnprocessableEntityResponse({ description: 'Unknown entityType', type: ErrorEnvelopeDto })
  list(@ActiveOrganization() orgId: string, @Query() query: StatusQueryDto): Promise<StatusDto[]> {
    return this.statuses.list(orgId, query.entityType);
  }

  @ReadRoute('statuses:read', 'One status (system or this organization’s)', StatusDto)
  get(@ActiveOrganization() orgId: string, @IdParam() id: string): Promise<StatusDto> {
    return this.statuses.get(orgId, id);
  }

  @CreateRoute('statuses', 'statuses:manage', 'Add an organization status', StatusDto)
  @ApiConflictResponse({
    description: '`code_taken`: the code already applies to this entity type',
    type: ErrorEnvelopeDto,
  })
  @ApiUnprocessableEntityResponse({
    description: '`unknown_entity_type`, `inactive_default`',
    type: ErrorEnvelopeDto,
  })
  create(
    @ActiveOrganization() orgId: string,
    @Body() dto: CreateStatusDto,
    @AuditContextParam() context: AuditContext,
  ): Promise<StatusDto> {
    return this.statuses.create(orgId, dto, context);
  }

  @UpdateRoute(
    'statuses:manage',
    'Change an organization status (code and entity type are immutable; If-Match honoured)',
    StatusDto,
  )
  @ApiForbiddenResponse(READ_ONLY)
  @ApiUnprocessableEntityResponse({ description: '`inactive_default`', type: ErrorEnvelopeDto })
  update(
    @ActiveOrganization() orgId: string,
    @IdParam() id: string,
    @Body() dto: UpdateStatusDto,
    @IfMatch() version: ExpectedVersion,
    @AuditContextParam() context: AuditContext,
  ): Promise<StatusDto> {
    return this.statuses.update(orgId, id, dto, version, context);
  }

  @DeleteRoute('statuses:manage', 'Delete an organization status that no record uses')
  @ApiForbiddenResponse(READ_ONLY)
  @ApiConflictResponse({
    description: '`status_in_use`: records carry its code; deactivate it instead',
    type: ErrorEnvelopeDto,
  })
  async delete(
    @ActiveOrganization() orgId: string,
    @IdParam() id: string,
    @IfMatch() version: ExpectedVersion,
    @AuditContextParam() context: AuditContext,
  ): Promise<void> {
    await this.statuses.delete(orgId, id, version, context);
  }
}
