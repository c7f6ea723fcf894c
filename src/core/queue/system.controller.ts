import { Controller, Get, HttpCode, HttpStatus, Param, Post, Req } from '@nestjs/common';
import {
  ApiAcceptedResponse,
  ApiNotFoundResponse,
  ApiOkResponse,
  ApiOperation,
  ApiProperty,
  ApiPropertyOptional,
  ApiServiceUnavailableResponse,
  ApiTags,
} from '@nestjs/swagger';
import type { FastifyRequest } from 'fastify';
import { RequirePermissions } from '../auth/decorators';
import { ActiveOrganization } from '../auth/principal';
import { ErrorEnvelopeDto } from '../http/error-envelope.dto';
import { NotFoundError } from '../http/errors';
import { JobQueue } from './job-queue.service';
import { PingJobData, SystemJobs } from './queue.constants';

class TaskAcceptedDto {
  @ApiProperty({ example: '42' })
  taskId: string;
}

class PingTaskDto {
  @ApiProperty({ example: '42' })
  taskId: string;
  @ApiProperty({ enum: ['queued', 'active', 'completed', 'failed'] })
  state: string;
  @ApiPropertyOptional({ type: 'object', additionalProperties: true })
  result?: unknown;
}

const STATE: Record<string, string> = {
  waiting: 'queued',
  delayed: 'queued',
  paused: 'queued',
  active: 'active',
  completed: 'completed',
  failed: 'failed',
};

/**
 * A round trip through the queue, so operators (and the tests) can prove the API and the worker
 * share code and Redis.
 */
@ApiTags('system')
@RequirePermissions('system:ping')
@Controller('system')
export class SystemController {
  constructor(private readonly jobs: JobQueue) {}

  @Post('ping')
  @HttpCode(HttpStatus.ACCEPTED)
  @ApiOperation({ summary: 'Enqueue a ping job for the worker' })
  @ApiAcceptedResponse({ type: TaskAcceptedDto })
  @ApiServiceUnavailableResponse({
    description: 'The queue (Redis) is unavailable',
    type: ErrorEnvelopeDto,
  })
  async ping(
    @Req() request: FastifyRequest,
    @ActiveOrganization() orgId: string,
  ): Promise<TaskAcceptedDto> {
    const data: PingJobData = {
      requestedAt: new Date().toISOString(),
      requestId: String(request.id),
      organizationId: orgId,
    };
    return { taskId: await this.jobs.enqueue(SystemJobs.ping, data, { attempts: 1 }) };
  }

  @Get('ping/:taskId')
  @ApiOperation({ summary: 'State of a ping job requested in this organization' })
  @ApiOkResponse({ type: PingTaskDto })
  @ApiNotFoundResponse({
    description: 'No ping job with this id was requested in this organization',
    type: ErrorEnvelopeDto,
  })
  async pingState(
    @Param('taskId') taskId: string,
    @ActiveOrganization() orgId: string,
  ): Promise<PingTaskDto> {
    const job = /^\d{1,12}$/.test(taskId) ? await this.jobs.queue().getJob(taskId) : null;
    // Job ids are a global sequence: another organization's ping is as unknown as a missing one.
    const data = job?.data as PingJobData | undefined;
    if (!job || job.name !== SystemJobs.ping || data?.organizationId !== orgId) {
      throw new NotFoundError('Task');
    }
    const state = STATE[await job.getState()] ?? 'queued';
    return {
      taskId,
      state,
      result: state === 'completed' ? (job.returnvalue as unknown) : undefined,
    };
  }
}
