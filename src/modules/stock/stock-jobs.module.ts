import { Module } from '@nestjs/common';
import { StockReconcileTask } from './stock-reconcile.task';

/** The stock module's task handlers, run by the worker entry. */
@Module({ providers: [StockReconcileTask] })
export class StockJobsModule {}
