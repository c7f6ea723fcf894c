import { Body, Controller, Post } from '@nestjs/common';
import { ApiConflictResponse, ApiCreatedResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { AuditContext, AuditContextParam, RequirePermissions } from '../../core/auth';
import { ErrorEnvelopeDto } from '../../core/http';
import { CreateTenantDto, TenantDto } from './dto/tenant.dto';
import { TenantsService } from './tenants.service';

@ApiTags('tenants')
@Controller('tenants')
export class TenantsController {
  constructor(private readonly tenants: TenantsService) {}

  @Post()
  @RequirePermissions('tenants:create')
  @ApiOperation({
    summary:
      'Superusers: provision a tenant — a new root organization and a pending Owner invitation mailed to its owner',
  })
  @ApiCreatedResponse({ type: TenantDto })
  @ApiConflictResponse({ description: 'the code is taken (names `code`)', type: ErrorEnvelopeDto })
  provision(
    @Body() dto: CreateTenantDto,
    @AuditContextParam() context: AuditContext,
  ): Promise<TenantDto> {
    return this.tenants.provision(dto, context);
  }
}
