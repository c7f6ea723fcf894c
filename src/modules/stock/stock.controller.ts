import { Body, Controller, Get, HttpCode, HttpStatus, Post, Query } from '@nestjs/common';
import {
  ApiAcceptedResponse,
  ApiConflictResponse,
  ApiCreatedResponse,
  ApiHeader,
  ApiNotFoundResponse,
  ApiOkResponse,
  ApiOperation,
  ApiTags,
} from '@nestjs/swagger';
import {
  ActiveOrganization,
  AuditContext,
  AuditContextParam,
  ListScope,
  RequirePermissions,
} from '../../core/auth';
import {
  ApiListQuery,
  ErrorEnvelopeDto,
  IdParam,
  ListQueryParser,
  ListRoute,
  LocationOf,
  Page,
  PageOf,
  ReadRoute,
} from '../../core/http';
import { TaskStartedDto, JobsService } from '../jobs';
import {
  CreateStockMoveDto,
  ReconcileStockDto,
  StockLevelDto,
  StockMoveDto,
} from './dto/stock.dto';
import { STOCK_RECONCILE } from './stock-reconcile.job';
import { STOCK_LEVEL_LIST, STOCK_MOVE_LIST, StockService } from './stock.service';

@ApiTags('stock')
@ApiNotFoundResponse({ description: 'Not in this organization', type: ErrorEnvelopeDto })
@Controller('stock-moves')
export class StockMovesController {
  constructor(
    private readonly stock: StockService,
    private readonly lists: ListQueryParser,
  ) {}

  @ListRoute(
    'stock:read',
    'The stock ledger, newest first (page, or ?cursor= at any depth)',
    STOCK_MOVE_LIST,
    StockMoveDto,
  )
  async list(
    @ListScope() scope: ListScope,
    @ActiveOrganization() orgId: string,
    @Query() raw: Record<string, unknown>,
  ): Promise<Page<StockMoveDto>> {
    return this.stock.listMoves(orgId, await this.lists.resolve(STOCK_MOVE_LIST, raw, scope));
  }

  @Post()
  @LocationOf('stock-moves')
  @RequirePermissions('stock:move')
  @ApiOperation({
    summary:
      'Post a receipt (to), issue (from) or transfer (both); levels change in the same transaction',
  })
  @ApiHeader({
    name: 'Idempotency-Key',
    required: false,
    description: 'Retry-safe: replays the first answer',
  })
  @ApiCreatedResponse({ type: StockMoveDto })
  @ApiConflictResponse({
    description: '`insufficient_stock`: the source would go below zero',
    type: ErrorEnvelopeDto,
  })
  create(
    @ActiveOrganization() orgId: string,
    @Body() dto: CreateStockMoveDto,
    @AuditContextParam() context: AuditContext,
  ): Promise<StockMoveDto> {
    return this.stock.move(orgId, dto, context);
  }

  @ReadRoute('stock:read', 'One ledger line (immutable: correct with a reverse move)', StockMoveDto)
  get(@ActiveOrganization() orgId: string, @IdParam() id: string): Promise<StockMoveDto> {
    return this.stock.getMove(orgId, id);
  }
}

@ApiTags('stock')
@Controller('stock-levels')
export class StockLevelsController {
  constructor(
    private readonly stock: StockService,
    private readonly lists: ListQueryParser,
    private readonly tasks: JobsService,
  ) {}

  @Post('reconcile')
  @HttpCode(HttpStatus.ACCEPTED)
  @RequirePermissions('stock:read')
  @ApiOperation({
    summary: 'Check every level against its ledger sum in the background (202; poll /tasks/{id})',
  })
  @ApiAcceptedResponse({ type: TaskStartedDto })
  async reconcile(
    @ActiveOrganization() orgId: string,
    @Body() dto: ReconcileStockDto,
    @AuditContextParam() context: AuditContext,
  ): Promise<TaskStartedDto> {
    const taskId = await this.tasks.start(
      STOCK_RECONCILE,
      { warehouseId: dto.warehouseId },
      orgId,
      context,
    );
    return { taskId };
  }

  @Get()
  @RequirePermissions('stock:read')
  @ApiOperation({
    summary: 'On-hand quantities per product × location (maintained rows, not ledger sums)',
  })
  @ApiListQuery(STOCK_LEVEL_LIST)
  @ApiOkResponse({ type: PageOf(StockLevelDto) })
  async list(
    @ListScope() scope: ListScope,
    @ActiveOrganization() orgId: string,
    @Query() raw: Record<string, unknown>,
  ): Promise<Page<StockLevelDto>> {
    return this.stock.listLevels(orgId, await this.lists.resolve(STOCK_LEVEL_LIST, raw, scope));
  }
}
