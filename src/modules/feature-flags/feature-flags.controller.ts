import {
  Body,
  Controller,
  Delete,
  Get,
  HttpCode,
  HttpStatus,
  Param,
  Patch,
  Post,
} from '@nestjs/common';
import {
  ApiConflictResponse,
  ApiCreatedResponse,
  ApiNoContentResponse,
  ApiNotFoundResponse,
  ApiOkResponse,
  ApiOperation,
  ApiPreconditionFailedResponse,
  ApiTags,
} from '@nestjs/swagger';
import {
  AuditContext,
  AuditContextParam,
  CurrentPrincipal,
  Principal,
  RequirePermissions,
} from '../../core/auth';
import { ErrorEnvelopeDto, ExpectedVersion, IfMatch, LocationOf } from '../../core/http';
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

  @Get()
  @RequirePermissions('feature-flags:manage')
  @ApiOperation({ summary: 'Every flag with its rules (superusers)' })
  @ApiOkResponse({ type: [FeatureFlagDto] })
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

  @Get(':key')
  @RequirePermissions('feature-flags:manage')
  @ApiOperation({ summary: 'One flag (ETag for If-Match)' })
  @ApiOkResponse({ type: FeatureFlagDto })
  get(@Param('key') key: string): Promise<FeatureFlagDto> {
    return this.flags.get(key);
  }

  @Patch(':key')
  @RequirePermissions('feature-flags:manage')
  @ApiOperation({ summary: 'Switch a flag or change its rules (takes effect at once)' })
  @ApiOkResponse({ type: FeatureFlagDto })
  @ApiPreconditionFailedResponse({ type: ErrorEnvelopeDto })
  update(
    @Param('key') key: string,
    @Body() dto: UpdateFeatureFlagDto,
    @IfMatch() version: ExpectedVersion,
    @AuditContextParam() context: AuditContext,
  ): Promise<FeatureFlagDto> {
    return this.flags.update(key, dto, version, context);
  }

  @Delete(':key')
  @HttpCode(HttpStatus.NO_CONTENT)
  @RequirePermissions('feature-flags:manage')
  @ApiOperation({ summary: 'Delete a flag (routes behind it answer 404)' })
  @ApiNoContentResponse()
  async delete(
    @Param('key') key: string,
    @IfMatch() version: ExpectedVersion,
    @AuditContextParam() context: AuditContext,
  ): Promise<void> {
    await this.flags.delete(key, version, context);
  }
}
