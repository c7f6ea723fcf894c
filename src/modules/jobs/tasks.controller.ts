import { Controller, Get, Param } from '@nestjs/common';
import { ApiNotFoundResponse, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import {
  ActiveOrganization,
  AuditContext,
  AuditContextParam,
  RequirePermissions,
} from '../../core/auth';
import { ErrorEnvelopeDto } from '../../core/http';
import { Language, RequestLanguage } from '../../core/i18n';
import { TaskDto } from './task.dto';
import { JobsService } from './jobs.service';

/** `GET /api/v1/tasks/{id}`: the public name of background jobs (SPEC §7; module README). */
@ApiTags('tasks')
@Controller('tasks')
export class TasksController {
  constructor(private readonly tasks: JobsService) {}

  @Get(':id')
  @RequirePermissions()
  @ApiOperation({
    summary:
      'State, progress, attempts and result of a task you started (202 routes answer its id)',
  })
  @ApiOkResponse({ type: TaskDto })
  @ApiNotFoundResponse({
    description: 'No such task started by you in this organization',
    type: ErrorEnvelopeDto,
  })
  get(
    @ActiveOrganization() orgId: string,
    @Param('id') id: string,
    @AuditContextParam() context: AuditContext,
    @RequestLanguage() language: Language,
  ): Promise<TaskDto> {
    return this.tasks.get(id.slice(0, 300), orgId, context, language);
  }
}
