import { createHash, timingSafeEqual } from 'node:crypto';
import { Controller, Get, Header, Headers, Res } from '@nestjs/common';
import {
  ApiBearerAuth,
  ApiOkResponse,
  ApiOperation,
  ApiProduces,
  ApiTags,
  ApiUnauthorizedResponse,
} from '@nestjs/swagger';
import type { FastifyReply } from 'fastify';
import { Public } from '../auth/decorators';
import { AppConfig } from '../config';
import { ErrorEnvelopeDto } from '../http/error-envelope.dto';
import { CoreErrors } from '../http/errors';
import { SkipRateLimit } from '../rate-limit';
import { MetricsService } from './metrics.service';

const digest = (value: string): Buffer => createHash('sha256').update(value, 'utf8').digest();

/**
 * Whether `authorization` is `Bearer <expected>`, compared in constant time (both sides hashed
 * first, so neither the token's content nor its length leaks through timing).
 */
export function bearerMatches(authorization: string | undefined, expected: string): boolean {
  const match = /^Bearer\s+(\S+)$/i.exec(authorization ?? '');
  return timingSafeEqual(digest(match?.[1] ?? ''), digest(expected)) && match !== null;
}

@ApiTags('health')
@Public()
@SkipRateLimit()
@Controller('metrics')
export class MetricsController {
  constructor(
    private readonly metrics: MetricsService,
    private readonly config: AppConfig,
  ) {}

  @Get()
  @Header('Cache-Control', 'no-store')
  @ApiOperation({
    summary: 'Prometheus metrics (text exposition format)',
    description:
      'Never rate limited. When `METRICS_TOKEN` is configured, requires `Authorization: Bearer <METRICS_TOKEN>`.',
  })
  @ApiBearerAuth('bearer')
  @ApiProduces('text/plain')
  @ApiOkResponse({ description: 'Prometheus text format' })
  @ApiUnauthorizedResponse({
    description: '`METRICS_TOKEN` is set and the bearer token is missing or wrong',
    type: ErrorEnvelopeDto,
  })
  async scrape(
    @Headers('authorization') authorization: string | undefined,
    @Res() reply: FastifyReply,
  ): Promise<void> {
    const token = this.config.metrics.token;
    if (token && !bearerMatches(authorization, token)) {
      throw CoreErrors.invalid_metrics_token();
    }
    const { contentType, body } = await this.metrics.render();
    await reply.type(contentType).send(body);
  }
}
