import { Module } from '@nestjs/common';
import { MetricsModule } from '../../core/metrics';
import { DomainEventsModule } from '../domain-events';
import { AuditChainRepository } from './audit-chain.repository';
import { AuditMetrics } from './audit.metrics';
import { AuditSealer } from './audit-sealer';
import { AuditSealerLoop } from './audit-sealer.loop';
import { AuditService } from './audit.service';

/** The writer and the sealer (API and worker alike: verification seals on demand). */
@Module({
  imports: [DomainEventsModule],
  providers: [AuditService, AuditSealer, AuditChainRepository],
  exports: [AuditService, AuditSealer],
})
export class AuditModule {}

/** The worker side: the loop sealing audit rows into their chains as they commit. */
@Module({ imports: [AuditModule], providers: [AuditSealerLoop], exports: [AuditSealerLoop] })
export class AuditWorkerModule {}

/** The API side: the unsealed-tail gauges on `GET /metrics`. */
@Module({ imports: [AuditModule, MetricsModule], providers: [AuditMetrics] })
export class AuditMetricsModule {}
