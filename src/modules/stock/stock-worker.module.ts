import { Module } from '@nestjs/common';
import { StockReconcileJob } from './stock-reconcile.job';

/** The stock module's task handlers, run by the worker entry. */
@Module({ providers: [StockReconcileJob] })
export class StockWorkerModule {}
