import { Controller, Delete, HttpCode, HttpStatus, Post, Query } from '@nestjs/common';
import {
  ApiAcceptedResponse,
  ApiNoContentResponse,
  ApiNotFoundResponse,
  ApiOperation,
  ApiTags,
  ApiUnprocessableEntityResponse,
} from '@nestjs/swagger';
import { AuditContext, AuditContextParam, RequirePermissions } from '../../core/auth';
import { ErrorEnvelopeDto, IdParam } from '../../core/http';
import { TaskStartedDto } from '../jobs';
import { DeleteTenantQueryDto } from './dto/tenant-offboarding.dto';
import { TenantOffboardingService } from './tenant-offboarding.service';

/** Superusers' tenant offboarding: export everything, then delete. See README.md. */
@ApiTags('tenants')
@ApiNotFoundResponse({ description: 'No such root organization', type: ErrorEnvelopeDto })
@Controller('tenants')
export class TenantOffboardingController {
  constructor(private readonly offboarding: TenantOffboardingService) {}

  @Post(':id/exports')
  @HttpCode(HttpStatus.ACCEPTED)
  @RequirePermissions('tenants:manage')
  @ApiOperation({
    summary: 'Export every row of a tenant to a ZIP of CSV files (superusers) → 202 task',
    description:
      'The task (`tenant.export`) runs in the tenant’s context: poll `GET /tasks/{taskId}` and download ' +
      '`GET /files/{result.fileId}/content` with `X-Organization-Id` set to the tenant. The archive holds one ' +
      'CSV per table (the root organization and all descendants) and manifest.json; secrets are never exported.',
  })
  @ApiAcceptedResponse({ type: TaskStartedDto })
  async exportTenant(
    @IdParam() id: string,
    @AuditContextParam() context: AuditContext,
  ): Promise<TaskStartedDto> {
    return { taskId: await this.offboarding.startExport(id, context) };
  }

  @Delete(':id')
  @HttpCode(HttpStatus.NO_CONTENT)
  @RequirePermissions('tenants:manage')
  @ApiOperation({
    summary:
      'Delete a tenant: its root organization, every descendant and all their rows (superusers)',
    description:
      'One transaction. `confirm` must repeat the tenant’s code. Person accounts stay (memberships go); ' +
      'the tenant’s audit chain goes too, and the deletion is audited in the platform chain. Export first.',
  })
  @ApiNoContentResponse({ description: 'Deleted' })
  @ApiUnprocessableEntityResponse({
    description: '`confirmation_mismatch`: confirm is not the tenant’s code',
    type: ErrorEnvelopeDto,
  })
  async deleteTenant(
    @IdParam() id: string,
    @Query() query: DeleteTenantQueryDto,
    @AuditContextParam() context: AuditContext,
  ): Promise<void> {
    await this.offboarding.deleteTenant(id, query.confirm, context);
  }
}
