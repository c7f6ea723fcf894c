import { Module } from '@nestjs/common';
import { DomainEventsModule } from '../domain-events';
import { AuditService } from './audit.service';

@Module({ imports: [DomainEventsModule], providers: [AuditService], exports: [AuditService] })
export class AuditModule {}
