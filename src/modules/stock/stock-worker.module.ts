import { Module } from '@nestjs/common';
import { StockReconcileJob } from './stock-reconcile.job';
import { StockRepository } from './stock.repository';

/** The stock module's task handlers, run by the worker entry. */
@Module({ providers: [StockReconcileJob, StockRepository] })
export class StockWorkerModule {}
