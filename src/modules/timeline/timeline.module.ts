import { Module } from '@nestjs/common';
import { AuditLogsModule } from '../audit-logs';
import { FileStorageModule } from '../files';
import { BuiltInTimelineSources } from './builtin-sources';
import { TimelineController } from './timeline.controller';
import { TimelineService } from './timeline.service';
import { TimelineSourcesModule } from './timeline-sources';

/** See README.md in this folder. */
@Module({
  imports: [TimelineSourcesModule, AuditLogsModule, FileStorageModule],
  controllers: [TimelineController],
  providers: [TimelineService, BuiltInTimelineSources],
})
export class TimelineModule {}
