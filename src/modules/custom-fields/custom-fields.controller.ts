import { Body, Controller, Query } from '@nestjs/common';
import {
  ApiConflictResponse,
  ApiNotFoundResponse,
  ApiTags,
  ApiUnprocessableEntityResponse,
} from '@nestjs/swagger';
import { ActiveOrganization, AuditContext, AuditContextParam, ListScope } from '../../core/auth';
import {
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
import { CUSTOM_FIELD_LIST, CustomFieldsService } from './custom-fields.service';
import { CreateCustomFieldDto, CustomFieldDto, UpdateCustomFieldDto } from './dto/custom-field.dto';

@ApiTags('custom-fields')
@ApiNotFoundResponse({
  description: 'No such custom field in this organization',
  type: ErrorEnvelopeDto,
})
@Controller('custom-fields')
export class CustomFieldsController {
  constructor(
    private readonly fields: CustomFieldsService,
    private readonly lists: ListQueryParser,
  ) {}

  @ListRoute(
    'custom-fields:read',
    'Custom field definitions (filter ?entityType=product, ?isActive=, ?type=)',
    CUSTOM_FIELD_LIST,
    CustomFieldDto,
  )
  async list(
    @ListScope() scope: ListScope,
    @ActiveOrganization() orgId: string,
    @Query() raw: Record<string, unknown>,
  ): Promise<Page<CustomFieldDto>> {
    return this.fields.list(orgId, await this.lists.resolve(CUSTOM_FIELD_LIST, raw, scope));
  }

  @CreateRoute(
    'custom-fields',
    'custom-fields:manage',
    'Define a custom field of an entity type (values go in the records’ customFields)',
    CustomFieldDto,
  )
  @ApiUnprocessableEntityResponse({
    description: 'Invalid rules for the type, `unknown_entity_type`, `too_many_custom_fields`',
    type: ErrorEnvelopeDto,
  })
  @ApiConflictResponse({ description: '`custom_field_key_taken`', type: ErrorEnvelopeDto })
  create(
    @ActiveOrganization() orgId: string,
    @Body() dto: CreateCustomFieldDto,
    @AuditContextParam() context: AuditContext,
  ): Promise<CustomFieldDto> {
    return this.fields.create(orgId, dto, context);
  }

  @ReadRoute(
    'custom-fields:read',
    'One custom field definition (ETag for If-Match)',
    CustomFieldDto,
  )
  get(@ActiveOrganization() orgId: string, @IdParam() id: string): Promise<CustomFieldDto> {
    return this.fields.get(orgId, id);
  }

  @UpdateRoute(
    'custom-fields:manage',
    'Change a definition (key and entity type never change; deactivate with isActive=false)',
    CustomFieldDto,
  )
  @ApiConflictResponse({ description: '`custom_field_type_locked`', type: ErrorEnvelopeDto })
  update(
    @ActiveOrganization() orgId: string,
    @IdParam() id: string,
    @Body() dto: UpdateCustomFieldDto,
    @IfMatch() version: ExpectedVersion,
    @AuditContextParam() context: AuditContext,
  ): Promise<CustomFieldDto> {
    return this.fields.update(orgId, id, dto, version, context);
  }

  @DeleteRoute(
    'custom-fields:manage',
    'Delete a definition no record holds a value for (else 409: deactivate it instead)',
  )
  @ApiConflictResponse({ description: '`custom_field_in_use`', type: ErrorEnvelopeDto })
  async delete(
    @ActiveOrganization() orgId: string,
    @IdParam() id: string,
    @IfMatch() version: ExpectedVersion,
    @AuditContextParam() context: AuditContext,
  ): Promise<void> {
    await this.fields.delete(orgId, id, version, context);
  }
}
