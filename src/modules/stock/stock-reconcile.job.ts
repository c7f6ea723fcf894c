import { Injectable, OnModuleInit } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import { withTenant } from '../../core/tenancy';
import { defineJob, JobContext, JobHandler, JobRegistry } from '../jobs';

export interface StockReconcilePayload {
  warehouseId?: string;
}

export interface StockReconcileResult {
  checked: number;
  mismatchCount: number;
  /** The first 100 disagreements between a maintained level and its ledger sum. */
  mismatches: { productId: string; locationId: string; level: string; ledger: string }[];
}

export const STOCK_RECONCILE = defineJob<StockReconcilePayload>({ name: 'stock.reconcile' });

/**
 * Recomputes every level of the organization (or one warehouse) from the ledger and reports any
 * disagreement. Read-only, so running it again after a retry is harmless.
 */
@Injectable()
export class StockReconcileJob
  implements JobHandler<StockReconcilePayload, StockReconcileResult>, OnModuleInit
{
  readonly definition = STOCK_RECONCILE;

  constructor(
    private readonly registry: JobRegistry,
    @InjectDataSource() private readonly dataSource: DataSource,
  ) {}

  onModuleInit(): void {
    this.registry.register(this);
  }

  async run(context: JobContext<StockReconcilePayload>): Promise<StockReconcileResult> {
    await context.progress(10);
    const rows = await withTenant(this.dataSource, context.organizationId, (manager) =>
      manager.query<
        { product_id: string; location_id: string; level: string; ledger: string; n: number }[]
      >(
        `WITH ledger AS (
           SELECT product_id, location_id, sum(delta) AS quantity FROM (
             SELECT product_id, to_location_id AS location_id, quantity AS delta FROM stock_moves
              WHERE organization_id = $1 AND to_location_id IS NOT NULL
             UNION ALL
             SELECT product_id, from_location_id, -quantity FROM stock_moves
              WHERE organization_id = $1 AND from_location_id IS NOT NULL) d
           GROUP BY product_id, location_id),
         compared AS (
           SELECT COALESCE(l.product_id, g.product_id) AS product_id,
                  COALESCE(l.location_id, g.location_id) AS location_id,
                  COALESCE(l.quantity, 0) AS level, COALESCE(g.quantity, 0) AS ledger
             FROM (SELECT * FROM stock_levels WHERE organization_id = $1) l
             FULL JOIN ledger g ON g.product_id = l.product_id AND g.location_id = l.location_id)
         SELECT c.product_id, c.location_id, trim_scale(c.level)::text AS level,
                trim_scale(c.ledger)::text AS ledger, count(*) OVER ()::int AS n
           FROM compared c JOIN stock_locations s ON s.id = c.location_id
          WHERE ($2::uuid IS NULL OR s.warehouse_id = $2) AND c.level <> c.ledger
          ORDER BY c.product_id, c.location_id LIMIT 100`,
        [context.organizationId, context.payload.warehouseId ?? null],
      ),
    );
    await context.progress(80);
    const [{ checked }] = await withTenant(this.dataSource, context.organizationId, (manager) =>
      manager.query<{ checked: number }[]>(
        `SELECT count(*)::int AS checked FROM stock_levels l JOIN stock_locations s ON s.id = l.location_id
          WHERE l.organization_id = $1 AND ($2::uuid IS NULL OR s.warehouse_id = $2)`,
        [context.organizationId, context.payload.warehouseId ?? null],
      ),
    );
    return {
      checked,
      mismatchCount: rows[0]?.n ?? 0,
      mismatches: rows.map((r) => ({
        productId: r.product_id,
        locationId: r.location_id,
        level: r.level,
        ledger: r.ledger,
      })),
    };
  }
}
