import { Controller, Get, Param, Res } from '@nestjs/common';
import {
  ApiNotFoundResponse,
  ApiOkResponse,
  ApiOperation,
  ApiProduces,
  ApiTags,
} from '@nestjs/swagger';
import type { FastifyReply } from 'fastify';
import { AuditContext, AuditContextParam, Public } from '../../core/auth';
import { ErrorEnvelopeDto } from '../../core/http';
import { RateLimit } from '../../core/rate-limit';
import { FilesService } from '../files';
import { sendContent } from './documents.controller';
import { ShareLinksService } from './share-links.service';

/** Requests per client IP per window on the public share-link route (guessing tokens is pointless, but cheap to stop). */
const SHARED_RATE_LIMIT = { name: 'shared-document', limit: 60, windowSeconds: 60 };

@ApiTags('documents')
@Controller('shared')
export class SharedDocumentsController {
  constructor(
    private readonly shareLinks: ShareLinksService,
    private readonly files: FilesService,
  ) {}

  @Get(':token')
  @Public()
  @RateLimit(SHARED_RATE_LIMIT)
  @ApiOperation({
    summary:
      'The current version of a shared document, without login (404 for an unknown, expired or revoked link)',
  })
  @ApiProduces('application/octet-stream')
  @ApiOkResponse({ description: 'The bytes' })
  @ApiNotFoundResponse({
    description: 'No live share link with this token',
    type: ErrorEnvelopeDto,
  })
  async open(
    @Param('token') token: string,
    @AuditContextParam() context: AuditContext,
    @Res() reply: FastifyReply,
  ): Promise<void> {
    await sendContent(this.files, reply, await this.shareLinks.open(token, context));
  }
}
