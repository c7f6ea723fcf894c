import { Controller, Get } from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiProperty, ApiTags } from '@nestjs/swagger';
import { Public } from '../auth/decorators';
import { AppConfig } from '../config';
import { APP_VERSION } from '../version';

/** What `GET /api/v1` answers: where to go next. */
export class ApiIndexDto {
  @ApiProperty({ example: 'Alees ERP' })
  name: string;
  @ApiProperty({ example: '0.1.0' })
  version: string;
  @ApiProperty({ example: '/docs', description: 'Swagger UI' })
  docs: string;
  @ApiProperty({ example: '/docs-json', description: 'The OpenAPI document' })
  openapi: string;
  @ApiProperty({ example: '/api/v1/auth/login', description: 'POST email + password here' })
  login: string;
  @ApiProperty({ example: '/healthz/ready' })
  health: string;
}

/**
 * `GET /api/v1`: the URL the launcher's banner prints answers with links to the docs, the login
 * and the readiness probe (instead of a 404 for the first thing a new user tries).
 */
@ApiTags('health')
@Public()
@Controller()
export class ApiIndexController {
  constructor(private readonly config: AppConfig) {}

  @Get()
  @ApiOperation({ summary: 'API index: name, version and where the docs and the login are' })
  @ApiOkResponse({ type: ApiIndexDto })
  index(): ApiIndexDto {
    return {
      name: this.config.app.name,
      version: APP_VERSION,
      docs: '/docs',
      openapi: '/docs-json',
      login: `/${this.config.app.apiPrefix}/auth/login`,
      health: '/healthz/ready',
    };
  }
}
