import {
  Body,
  Controller,
  Delete,
  Get,
  HttpCode,
  Logger,
  Module,
  Param,
  ParseUUIDPipe,
  Patch,
  Post,
  Query,
  Res,
} from '@nestjs/common';
import { ApiCreatedResponse, ApiOkResponse } from '@nestjs/swagger';
import { InjectDataSource } from '@nestjs/typeorm';
import { Type } from 'class-transformer';
import {
  IsIn,
  IsInt,
  IsOptional,
  IsString,
  Length,
  Max,
  Min,
  ValidateNested,
} from 'class-validator';
import type { FastifyReply } from 'fastify';
import { randomUUID } from 'node:crypto';
import { DataSource } from 'typeorm';
import { Public } from '../../src/core/auth';
import {
  assertVersionMatches,
  IfMatch,
  ListDefinition,
  ListQueryParser,
  NotFoundError,
  Page,
  toPage,
} from '../../src/core/http';

/**
 * Test-only routes that exercise the HTTP conventions (validation, envelope, ETag/If-Match,
 * idempotency, list grammar) through the real app, before any domain module exists.
 */
class DimensionsDto {
  @IsInt() @Min(1) width: number;
  @IsInt() @Min(1) height: number;
}

class CreateWidgetDto {
  @IsString() @Length(1, 50) name: string;
  @IsIn(['red', 'blue']) colour: string;
  @IsOptional() @ValidateNested() @Type(() => DimensionsDto) dimensions?: DimensionsDto;
  @IsOptional() @IsInt() @Max(1000) quantity?: number;
}

class UpdateWidgetDto {
  @IsOptional() @IsString() @Length(1, 50) name?: string;
}

interface Widget {
  id: string;
  name: string;
  colour: string;
  version: number;
  createdAt: string;
}

export const WIDGET_LIST: ListDefinition<'name' | 'createdAt', 'colour' | 'q' | 'createdFrom'> = {
  sortable: ['name', 'createdAt'],
  defaultSort: '-createdAt',
  filters: { colour: { enum: ['red', 'blue'] }, q: 'string', createdFrom: 'datetime' },
  resource: 'probe-widgets',
  fields: {},
};

@Public()
@Controller('__probe')
class ProbeController {
  private readonly logger = new Logger('Probe');
  static readonly widgets = new Map<string, Widget>();
  static creations = 0;

  constructor(
    private readonly lists: ListQueryParser,
    @InjectDataSource() private readonly dataSource: DataSource,
  ) {}

  @Post('widgets')
  @ApiCreatedResponse({ schema: { type: 'object' } })
  create(@Body() dto: CreateWidgetDto, @Res({ passthrough: true }) reply: FastifyReply): Widget {
    ProbeController.creations += 1;
    const widget: Widget = {
      id: randomUUID(),
      name: dto.name,
      colour: dto.colour,
      version: 1,
      createdAt: new Date().toISOString(),
    };
    ProbeController.widgets.set(widget.id, widget);
    this.logger.log({ widgetId: widget.id }, 'widget created');
    void reply.header('Location', `/api/v1/__probe/widgets/${widget.id}`);
    return widget;
  }

  @Get('widgets')
  @ApiOkResponse({ schema: { type: 'object' } })
  list(@Query() query: Record<string, unknown>): Page<Widget> {
    const parsed = this.lists.parse(WIDGET_LIST, query);
    const items = [...ProbeController.widgets.values()].filter(
      (w) => !parsed.filters.colour || w.colour === parsed.filters.colour,
    );
    return toPage(items.slice(parsed.offset, parsed.offset + parsed.size), items.length, parsed);
  }

  @Get('widgets/:id')
  @ApiOkResponse({ schema: { type: 'object' } })
  get(@Param('id', ParseUUIDPipe) id: string): Widget {
    const widget = ProbeController.widgets.get(id);
    if (!widget) throw new NotFoundError('Widget');
    return widget;
  }

  @Patch('widgets/:id')
  @ApiOkResponse({ schema: { type: 'object' } })
  update(
    @Param('id', ParseUUIDPipe) id: string,
    @Body() dto: UpdateWidgetDto,
    @IfMatch() expected: number | '*' | undefined,
  ): Widget {
    const widget = this.get(id);
    assertVersionMatches(expected, widget.version);
    Object.assign(widget, dto, { version: widget.version + 1 });
    return widget;
  }

  @Delete('widgets/:id')
  @HttpCode(204)
  remove(
    @Param('id', ParseUUIDPipe) id: string,
    @IfMatch() expected: number | '*' | undefined,
  ): void {
    assertVersionMatches(expected, this.get(id).version);
    ProbeController.widgets.delete(id);
  }

  /** Two rows with the same unique key: the database refuses the second. */
  @Post('duplicate')
  async duplicate(): Promise<void> {
    const insert = `INSERT INTO idempotency_keys (scope, key, request_hash, state, expires_at)
                    VALUES ('probe', 'same', 'h', 'pending', now())`;
    await this.dataSource.query(insert);
    await this.dataSource.query(insert);
  }

  @Get('boom')
  boom(): never {
    throw new Error('relation "secret_table" does not exist at PostgresQueryRunner.query');
  }
}

@Module({ controllers: [ProbeController] })
export class ProbeModule {}

export const probeState = ProbeController;
