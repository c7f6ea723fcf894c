import { Controller, Get } from '@nestjs/common';
import {
  ApiOkResponse,
  ApiOperation,
  ApiServiceUnavailableResponse,
  ApiTags,
} from '@nestjs/swagger';
import { Public } from '../auth/decorators';
import { ServiceUnavailableError } from '../http/errors';
import { SkipRateLimit } from '../rate-limit';
import { ReadinessService } from './readiness.service';

@ApiTags('health')
@Public()
@SkipRateLimit() // probed every few seconds by orchestrators and load balancers
@Controller('healthz')
export class HealthController {
  constructor(private readonly readiness: ReadinessService) {}

  @Get('live')
  @ApiOperation({ summary: 'Liveness: the process answers (no dependency checks)' })
  @ApiOkResponse({ schema: { example: { status: 'alive' } } })
  live(): { status: 'alive' } {
    return { status: 'alive' };
  }

  @Get('ready')
  @ApiOperation({ summary: 'Readiness: database and Redis reachable (503 otherwise)' })
  @ApiOkResponse({ schema: { example: { status: 'ok', checks: { db: 'up', redis: 'up' } } } })
  @ApiServiceUnavailableResponse({ description: 'A dependency is down; `meta.checks` says which' })
  async ready(): Promise<{ status: 'ok'; checks: Record<string, string> }> {
    const readiness = await this.readiness.check();
    if (readiness.status !== 'ok') {
      const down = Object.keys(readiness.checks).filter((k) => readiness.checks[k] === 'down');
      throw new ServiceUnavailableError(`Not ready: ${down.join(', ')} down`, {
        checks: readiness.checks,
      });
    }
    return { status: 'ok', checks: readiness.checks };
  }
}
