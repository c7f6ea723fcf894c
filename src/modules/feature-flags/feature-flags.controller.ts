import { Body, Controller, Get, Param, Post } from '@nestjs/common';
import {
  ApiConflictResponse,
  ApiCreatedResponse,
  ApiNotFoundResponse,
  ApiOkResponse,
  ApiOperation,
  ApiTags,
} from '@nestjs/swagger';
import {
  AuditContext,
  AuditContextParam,
  CurrentPrincipal,
  Principal,
  RequirePermissions,
} from '../../core/auth';
import {
  DeleteRoute,
  ErrorEnvelopeDto,
  ExpectedVersion,
  IfMatch,
  LocationOf,
  ReadRoute,
  UpdateRoute,
} from '../../core/http';
import {
  CreateFeatureFlagDto,
  FeatureFlagDto,
  FlagEvaluationDto,
  UpdateFeatureFlagDto,
} from './dto/feature-flag.dto';
import { FeatureFlagsService } from './feature-flags.service';

@ApiTags('feature-flags')
@ApiNotFoundResponse({ description: 'No such flag', type: ErrorEnvelopeDto })
@Controller('feature-flags')
export class FeatureFlagsController {
  constructor(private readonly flags: FeatureFlagsService) {}

  @Get('evaluate')
  @RequirePermissions()
  @ApiOperation({
    summary: 'Every flag, on or off for the caller (user, active organization, environment)',
  })
  @ApiOkResponse({ type: FlagEvaluationDto })
  async evaluate(@CurrentPrincipal() principal: Principal): Promise<FlagEvaluationDto> {
    return {
      flags: await this.flags.evaluate({
        userId: principal.userId,
        organizationId: principal.organizationId,
      }),
    };
  }

  @ReadRoute('feature-flags:manage', 'Every flag with its rules (superusers)', [FeatureFlagDto], '')
  list(): Promise<FeatureFlagDto[]> {
    return this.flags.list();
  }

  @Post()
  @LocationOf('feature-flags', 'key')
  @RequirePermissions('feature-flags:manage')
  @ApiOperation({ summary: 'Create a flag (superusers)' })
  @ApiCreatedResponse({ type: FeatureFlagDto })
  @ApiConflictResponse({ description: 'key exists', type: ErrorEnvelopeDto })
  create(
    @Body() dto: CreateFeatureFlagDto,
    @AuditContextParam() context: AuditContext,
  ): Promise<FeatureFlagDto> {
    return this.flags.create(dto, context);
  }

  @ReadRoute('feature-flags:manage', 'One flag (ETag for If-Match)', FeatureFlagDto, ':key')
  get(@Param('key') key: string): Promise<FeatureFlagDto> {
    return this.flags.get(key);
  }

  @UpdateRoute(
    'feature-flags:manage',
    'Switch a flag or change its rules (takes effect at once)',
    FeatureFlagDto,
    ':key',
  )
  update(
    @Param('key') key: string,
    @Body() dto: UpdateFeatureFlagDto,
    @IfMatch() version: ExpectedVersion,
    @AuditContextParam() context: AuditContext,
  ): Promise<FeatureFlagDto> {
    return this.flags.update(key, dto, version, context);
  }

  @DeleteRoute('feature-flags:manage', 'Delete a flag (routes behind it answer 404)', ':key')
  async delete(
    @Param('key') key: string,
    @IfMatch() version: ExpectedVersion,
    @AuditContextParam() context: AuditContext,
  ): Promise<void> {
    await this.flags.delete(key, version, context);
  }
}
